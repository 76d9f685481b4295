// The api replicas as they describe themselves on GET /stats. Behind a Service each new
// connection lands on a random replica, so a few fresh connections per refresh hear from every
// replica within seconds; one not heard from for a while is shown as gone.
import http from 'node:http';
import type { Logger } from '../../lib/logger.ts';
import { sortReplicas, type Replica } from './model.ts';

export interface ReplicaStats {
  pod: string;
  accepted: number;
  uptimeSeconds: number;
}

export interface ApiStatsOptions {
  url: string;
  logger: Logger;
  probes?: number;
  forgetMs?: number;
  timeoutMs?: number;
}

export class ApiStats {
  private readonly seen = new Map<string, ReplicaStats & { at: number }>();
  private failing = false;

  constructor(private readonly o: ApiStatsOptions) {}

  async poll(now = Date.now()): Promise<void> {
    const replies = await Promise.allSettled(Array.from({ length: this.o.probes ?? 4 }, () => this.fetchOnce()));
    for (const r of replies) if (r.status === 'fulfilled') this.seen.set(r.value.pod, { ...r.value, at: now });
    const failed = replies.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    // Logged on the change only: an api that is down would otherwise log every second.
    if (failed && !this.failing) this.o.logger.warn({ url: this.o.url, err: failed.reason as Error }, 'api /stats unreachable');
    this.failing = Boolean(failed);
  }

  /** Replicas heard from recently, by pod name. */
  live(now = Date.now()): Map<string, ReplicaStats> {
    const forget = this.o.forgetMs ?? 15_000;
    const live = new Map<string, ReplicaStats>();
    for (const [pod, s] of this.seen) {
      if (now - s.at > forget) this.seen.delete(pod);
      else live.set(pod, { pod, accepted: s.accepted, uptimeSeconds: s.uptimeSeconds });
    }
    return live;
  }

  private fetchOnce(): Promise<ReplicaStats> {
    return new Promise((resolve, reject) => {
      const req = http.get(this.o.url, { agent: false, timeout: this.o.timeoutMs ?? 1000 }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => {
          const stats = parseStats(res.statusCode, body);
          if (stats) resolve(stats);
          else reject(new Error(`unexpected /stats reply: HTTP ${res.statusCode} ${body.slice(0, 200)}`));
        });
      });
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
    });
  }
}

export function parseStats(status: number | undefined, body: string): ReplicaStats | undefined {
  if (status !== 200) return undefined;
  try {
    const s = JSON.parse(body) as { pod?: unknown; uptimeSeconds?: unknown; documents?: { accepted?: unknown } };
    if (typeof s.pod !== 'string' || typeof s.documents?.accepted !== 'number') return undefined;
    return { pod: s.pod, accepted: s.documents.accepted, uptimeSeconds: typeof s.uptimeSeconds === 'number' ? s.uptimeSeconds : 0 };
  } catch {
    return undefined;
  }
}

/** Marks each replica that answered /stats lately, adding those with no documents yet. */
export function markLive(replicas: Replica[], live: Map<string, ReplicaStats>): Replica[] {
  const known = new Set(replicas.map((r) => r.pod));
  const quiet = [...live.keys()].filter((pod) => !known.has(pod)).map((pod) => ({ pod, documents: 0 }));
  return sortReplicas([...replicas, ...quiet].map((r) => ({ ...r, live: live.has(r.pod) })));
}
