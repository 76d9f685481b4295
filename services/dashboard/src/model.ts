// The dashboard's picture of the pipeline, refreshed from the data directory: each batch's
// progress, its receipts and dead letters (read incrementally), and the totals the page charts.
// A batch whose done/ summary exists is read one last time and then never again. A big listing
// handed on in parts (services/lib/parts.ts) is one row: as far as its least advanced part, its
// counts those of its parts and its own dead letters added up.
import { readFile } from 'node:fs/promises';
import { isCanary } from '../../lib/batches.ts';
import { deadFileOf, layout, listDataDir, type Layout } from '../../lib/layout.ts';
import { batchProgress, byListing, type ListingProgress, type Progress } from '../../lib/progress.ts';
import { FileTail } from './tail.ts';
import { addReceiptLine, noReceiptsSeen, type ReceiptsSeen } from './receipts-seen.ts';
import { prune, series, type Window } from './throughput.ts';

export interface BatchView {
  batch: string;
  /** How far the batch has come (services/lib/progress.ts). */
  stage: Progress;
  /** A canary (scripts/lib/canary.ts), dropped to check that data flows, not anyone's data. */
  canary: boolean;
  answered: number;
  ok: number;
  rejected: number;
  invalid: number;
  dead: number;
  pods: Record<string, number>;
  finishedAt?: string;
  /** How many parts the batch was handed on in, when more than one. */
  parts?: number;
}

export interface Replica {
  pod: string;
  documents: number;
  /** Whether the replica answers /stats now; absent when the dashboard has no api to ask. */
  live?: boolean;
}

export interface DashboardState {
  updatedAt: string;
  /** The most recent batches, newest first. */
  batches: BatchView[];
  inFlight: number;
  documents: number;
  replicas: Replica[];
  throughput: { bucketSeconds: number; points: number[]; perSecond: number };
  dead: { total: number; byStage: Record<string, number> };
}

export interface ModelOptions {
  dataDir: string;
  recent: number;
  window: Window;
}

interface Tracked {
  receipts: FileTail;
  seen: ReceiptsSeen;
  dead: Map<string, { tail: FileTail; count: number }>;
  finishedAt?: string;
  final: boolean;
}

export class DashboardModel {
  private readonly l: Layout;
  private readonly tracked = new Map<string, Tracked>();

  constructor(private readonly o: ModelOptions) {
    this.l = layout(o.dataDir);
  }

  async refresh(now = Date.now()): Promise<DashboardState> {
    const listing = await listDataDir(this.o.dataDir);
    const stages = byListing(batchProgress(listing));
    const deadStages = new Map<string, string[]>();
    for (const name of listing.dead) {
      const dead = deadFileOf(name);
      if (dead?.kind === 'letters') deadStages.set(dead.batch, [...(deadStages.get(dead.batch) ?? []), dead.stage]);
    }
    // Only batches in flight and the newest finished ones are read, so a refresh costs the same
    // however much history the volume keeps.
    const shown = new Map([...stages].filter(([, l]) => l.progress !== 'done'));
    for (const batch of [...stages.keys()].sort().reverse().slice(0, this.o.recent)) shown.set(batch, stages.get(batch)!);
    const members = new Map([...shown.values()].flatMap((l) => [...l.members]));
    for (const batch of this.tracked.keys()) if (!members.has(batch)) this.tracked.delete(batch);
    for (const [batch, stage] of members) await this.update(batch, stage, deadStages.get(batch) ?? []);
    for (const t of this.tracked.values()) prune(t.seen.buckets, now, this.o.window);
    return this.state(shown, now);
  }

  private async update(batch: string, stage: Progress, deadStages: string[]): Promise<void> {
    let t = this.tracked.get(batch);
    if (!t) {
      t = { receipts: new FileTail(this.l.receipts(batch)), seen: noReceiptsSeen(), dead: new Map(), final: false };
      this.tracked.set(batch, t);
    }
    if (t.final) return;
    const receipts = await t.receipts.read();
    if (receipts?.restarted) t.seen = noReceiptsSeen();
    for (const line of receipts?.lines ?? []) addReceiptLine(t.seen, line, this.o.window.bucketMs);
    let behind = receipts?.behind ?? false;
    for (const deadStage of deadStages) {
      let d = t.dead.get(deadStage);
      if (!d) {
        d = { tail: new FileTail(this.l.dead(batch, deadStage)), count: 0 };
        t.dead.set(deadStage, d);
      }
      const read = await d.tail.read();
      if (read?.restarted) d.count = 0;
      d.count += read?.lines.length ?? 0;
      behind ||= read?.behind ?? false;
    }
    if (stage === 'done') {
      t.finishedAt = await this.finishedAt(batch);
      t.final = !behind;
    }
  }

  private async finishedAt(batch: string): Promise<string | undefined> {
    const text = await readFile(this.l.done(batch), 'utf8').catch(() => undefined);
    if (!text) return undefined;
    try {
      const at = (JSON.parse(text) as { finishedAt?: unknown }).finishedAt;
      return typeof at === 'string' ? at : undefined;
    } catch {
      return undefined;
    }
  }

  private state(stages: Map<string, ListingProgress>, now: number): DashboardState {
    const replicas = new Map<string, number>();
    const deadByStage: Record<string, number> = {};
    let documents = 0;
    for (const t of this.tracked.values()) {
      documents += t.seen.tally.ok;
      for (const [pod, n] of Object.entries(t.seen.tally.pods)) replicas.set(pod, (replicas.get(pod) ?? 0) + n);
      for (const [stage, d] of t.dead) deadByStage[stage] = (deadByStage[stage] ?? 0) + d.count;
    }
    const batches = [...stages.keys()]
      .sort()
      .reverse()
      .slice(0, this.o.recent)
      .map((batch) => this.view(batch, stages.get(batch)!));
    const points = series(
      [...this.tracked.values()].map((t) => t.seen.buckets),
      now,
      this.o.window,
    );
    const bucketSeconds = this.o.window.bucketMs / 1000;
    return {
      updatedAt: new Date(now).toISOString(),
      batches,
      inFlight: [...stages.values()].filter((l) => l.progress !== 'done').length,
      documents,
      replicas: sortReplicas([...replicas].map(([pod, n]) => ({ pod, documents: n }))),
      // The last bucket is still filling; the one before it is the latest complete rate.
      throughput: { bucketSeconds, points, perSecond: (points[points.length - 2] ?? 0) / bucketSeconds },
      dead: { total: Object.values(deadByStage).reduce((a, b) => a + b, 0), byStage: deadByStage },
    };
  }

  private view(batch: string, l: ListingProgress): BatchView {
    const v: BatchView = { batch, stage: l.progress, canary: isCanary(batch), answered: 0, ok: 0, rejected: 0, invalid: 0, dead: 0, pods: {} };
    let finishedAt: string | undefined;
    for (const member of l.members.keys()) {
      const t = this.tracked.get(member)!;
      const { answered, tally } = t.seen;
      v.answered += answered;
      v.ok += tally.ok;
      v.rejected += tally.rejected;
      v.invalid += tally.invalid;
      v.dead += [...t.dead.values()].reduce((sum, d) => sum + d.count, 0);
      for (const [pod, n] of Object.entries(tally.pods)) v.pods[pod] = (v.pods[pod] ?? 0) + n;
      if (t.finishedAt && (!finishedAt || t.finishedAt > finishedAt)) finishedAt = t.finishedAt;
    }
    const parts = l.members.size - 1;
    return { ...v, ...(l.progress === 'done' && finishedAt ? { finishedAt } : {}), ...(parts > 1 ? { parts } : {}) };
  }
}

/** api-1, api-2 … api-10, as a person counts them. */
export function sortReplicas(replicas: Replica[]): Replica[] {
  return replicas.sort((a, b) => a.pod.localeCompare(b.pod, 'en', { numeric: true }));
}
