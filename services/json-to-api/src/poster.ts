// Sends documents to the api over keep-alive connections. Network errors, 429 and 5xx are
// retried with backoff for as long as it takes (an api that is down delays documents, it does
// not drop them); any other 4xx is final and reported as a rejection. Every call takes the
// stage's stop signal: no new attempt starts once it is aborted, a backoff sleep ends at once,
// and abortInFlight() abandons the requests still under way (they are resent after a restart
// under the same Idempotency-Key).
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import fetch, { type Response } from 'node-fetch';
import { PipeError, RejectedError, StoppedError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { backoffMs } from './backoff.ts';

export type Answer = { status: number; pod: string } | { status: number; error: string };

export interface PosterOptions {
  apiUrl: string;
  concurrency: number;
  logger: Logger;
  onRetry?: (reason: string) => void;
  timeoutMs?: number;
}

export interface Poster {
  postOne(body: string, key: string, signal: AbortSignal): Promise<Answer>;
  /** Answers per line; a request the api refuses as a whole (a 4xx) throws RejectedError. */
  postBulk(lines: string[], key: string, signal: AbortSignal): Promise<Answer[]>;
  abortInFlight(): void;
  close(): void;
}

export function createPoster(o: PosterOptions): Poster {
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: o.concurrency }),
    https: new https.Agent({ keepAlive: true, maxSockets: o.concurrency }),
  };
  const agent = (url: URL) => (url.protocol === 'https:' ? agents.https : agents.http);
  const single = new URL(o.apiUrl);
  const bulk = new URL('/bulk', o.apiUrl);

  const watchdog = startWatchdog(o.timeoutMs ?? 30_000);

  const send = async (url: URL, body: string, contentType: string, key: string, signal: AbortSignal): Promise<Response> => {
    for (let attempt = 0; ; attempt++) {
      signal.throwIfAborted();
      let reason: string;
      const deadline = watchdog.track();
      try {
        const res = await fetch(url, {
          method: 'POST',
          body,
          headers: { 'content-type': contentType, 'idempotency-key': key },
          agent,
          signal: deadline.signal,
        });
        if (res.status < 500 && res.status !== 429) return res;
        reason = `HTTP ${res.status}`;
        await res.arrayBuffer();
      } catch (err) {
        if (deadline.signal.reason instanceof StoppedError) throw deadline.signal.reason;
        reason = (err as Error).message;
      } finally {
        watchdog.untrack(deadline);
      }
      o.onRetry?.(reason);
      const wait = backoffMs(attempt);
      if (attempt % 10 === 0) o.logger.warn({ url: url.href, attempt, reason, retryInMs: wait }, 'api unavailable; retrying');
      await sleep(wait, undefined, { signal }).catch(() => signal.throwIfAborted());
    }
  };

  return {
    async postOne(body, key, signal) {
      const res = await send(single, body, 'application/json', key, signal);
      const reply = await readJson(res);
      if (res.ok && isOk(reply)) return { status: res.status, pod: reply.container };
      return { status: res.status, error: describe(res.status, reply) };
    },
    async postBulk(lines, key, signal) {
      const res = await send(bulk, lines.join('\n') + '\n', 'application/x-ndjson', key, signal);
      const text = await res.text();
      if (!res.ok) throw new RejectedError(res.status, describe(res.status, safeParse(text)));
      const results = text.split('\n').filter(Boolean);
      if (results.length !== lines.length) {
        throw new PipeError(`bulk reply has ${results.length} results for ${lines.length} documents`);
      }
      // Nearly every result is the same line (ok from this pod): parse each distinct line once.
      const seen = new Map<string, Answer>();
      return results.map((r) => {
        let answer = seen.get(r);
        if (!answer) {
          const reply = safeParse(r);
          answer = isOk(reply) ? { status: 200, pod: reply.container } : { status: 400, error: describe(400, reply) };
          seen.set(r, answer);
        }
        return answer;
      });
    },
    abortInFlight: () => watchdog.abortAll(new StoppedError('json-to-api is stopping: request abandoned, to be resent after a restart')),
    close() {
      watchdog.stop();
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

function isOk(reply: unknown): reply is { response: 'ok'; container: string } {
  const r = reply as { response?: unknown; container?: unknown } | undefined;
  return r?.response === 'ok' && typeof r.container === 'string';
}

function describe(status: number, reply: unknown): string {
  const error = (reply as { error?: unknown } | undefined)?.error;
  return typeof error === 'string' ? error : `unexpected reply (HTTP ${status}): ${JSON.stringify(reply)?.slice(0, 300)}`;
}

async function readJson(res: Response): Promise<unknown> {
  return safeParse(await res.text());
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Aborts requests that outlive the timeout. One sweep a second for all of them is far cheaper
 * than AbortSignal.timeout, which makes a timer and an exception object per request.
 */
function startWatchdog(timeoutMs: number) {
  const live = new Map<AbortController, number>();
  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const [controller, deadline] of live) if (deadline <= now) controller.abort(new Error(`no answer within ${timeoutMs} ms`));
    },
    Math.min(1000, timeoutMs),
  );
  sweep.unref();
  return {
    track(): AbortController {
      const controller = new AbortController();
      live.set(controller, Date.now() + timeoutMs);
      return controller;
    },
    untrack(controller: AbortController) {
      live.delete(controller);
    },
    abortAll(reason: Error) {
      for (const controller of live.keys()) controller.abort(reason);
    },
    stop() {
      clearInterval(sweep);
    },
  };
}
