// The loop every file stage shares: notice input files by file events (not polling), hand
// them one at a time, oldest batch first, to the stage's `handle`, and keep a file that fails
// for a later retry instead of dropping it. A file that keeps failing without moving forward
// is quarantined so that the stage goes on with the others. close() aborts the work in hand:
// the handler leaves its batch where it is, to be resumed after a restart.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { BatchError, StoppedError } from './errors.ts';
import type { Logger } from './logger.ts';

export interface StageLoopOptions {
  inDir: string;
  /** Input files this stage takes, by name. */
  accepts: (fileName: string) => boolean;
  handle: (fileName: string, signal: AbortSignal) => Promise<void>;
  /** Sets a file aside with the reason it failed, after `maxAttempts` failures in a row without progress. */
  quarantine: (fileName: string, reason: string) => Promise<void>;
  logger: Logger;
  maxAttempts?: number;
  /** How long to wait before retrying a file whose handling failed. */
  retryMs?: number;
  /** A safety-net rescan for file systems whose events can be missed. */
  rescanMs?: number;
}

export interface StageLoop {
  ready: Promise<void>;
  /** Resolves once nothing is queued or running. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export const MAX_ATTEMPTS = 5;

export function startStageLoop(o: StageLoopOptions): StageLoop {
  const pending = new Set<string>();
  const failures = new Map<string, number>();
  const retryMs = o.retryMs ?? 2000;
  const maxAttempts = o.maxAttempts ?? MAX_ATTEMPTS;
  const stopping = new AbortController();
  let running: Promise<void> | undefined;
  let idleWaiters: Array<() => void> = [];
  const timers = new Set<NodeJS.Timeout>();
  const closed = () => stopping.signal.aborted;

  const later = (fn: () => void, ms: number) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const enqueue = (fileName: string) => {
    if (closed() || !o.accepts(fileName)) return;
    pending.add(fileName);
    running ??= drain().finally(() => {
      running = undefined;
      if (pending.size > 0 && !closed()) enqueue([...pending][0]!);
      else for (const w of idleWaiters.splice(0)) w();
    });
  };

  const failed = async (file: string, err: unknown) => {
    if (!(await exists(path.join(o.inDir, file)))) return;
    const progressed = err instanceof BatchError && err.progressed;
    const attempts = progressed ? 1 : (failures.get(file) ?? 0) + 1;
    if (attempts < maxAttempts) {
      failures.set(file, attempts);
      o.logger.error({ err, file, attempts, retryInMs: retryMs }, 'file failed; kept for retry');
      later(() => enqueue(file), retryMs);
      return;
    }
    failures.delete(file);
    const reason = `quarantined after ${attempts} attempts in a row without progress: ${(err as Error).message}`;
    o.logger.error({ err, file, attempts }, 'file quarantined into dead/');
    await o.quarantine(file, reason).catch((qerr: unknown) => {
      o.logger.error({ err: qerr, file }, 'quarantine failed; kept for retry');
      later(() => enqueue(file), retryMs);
    });
  };

  const drain = async () => {
    while (!closed() && pending.size > 0) {
      const next = [...pending].sort()[0]!;
      pending.delete(next);
      // A file event that came while the file was in hand queues it again after it is gone: for
      // json-to-api that meant reading a whole batch's receipts once more for nothing.
      if (!(await exists(path.join(o.inDir, next)))) continue;
      const started = Date.now();
      try {
        await o.handle(next, stopping.signal);
        failures.delete(next);
        o.logger.debug({ file: next, ms: Date.now() - started }, 'file handled');
      } catch (err) {
        if (err instanceof StoppedError || closed()) o.logger.info({ file: next }, 'stopping: batch left in place for the next start');
        else await failed(next, err);
      }
    }
  };

  const rescan = async () => {
    for (const f of await readdir(o.inDir).catch(() => [] as string[])) enqueue(f);
  };

  const watcher: FSWatcher = watch(o.inDir, { depth: 0, ignoreInitial: false, alwaysStat: false });
  // depth 0: only files directly in inDir are reported.
  const onFile = (p: string) => enqueue(path.basename(p));
  watcher.on('add', onFile).on('change', onFile);
  watcher.on('error', (err) => o.logger.error({ err }, 'watcher error'));
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  const rescanTimer = setInterval(() => void rescan(), o.rescanMs ?? 30_000);
  rescanTimer.unref();

  return {
    ready,
    idle: () => (running || pending.size > 0 ? new Promise<void>((r) => idleWaiters.push(r)) : Promise.resolve()),
    async close() {
      stopping.abort(new StoppedError('the stage is stopping'));
      clearInterval(rescanTimer);
      for (const t of timers) clearTimeout(t);
      await watcher.close();
      await running;
      for (const w of idleWaiters.splice(0)) w();
      idleWaiters = [];
    },
  };
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}
