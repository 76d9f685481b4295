// The loop every file stage shares: notice input files by file events (not polling), hand
// them one at a time, oldest batch first, to the stage's `handle`, and keep a file that fails
// for a later retry instead of dropping it.
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from './logger.ts';

export interface StageLoopOptions {
  inDir: string;
  /** Input files this stage takes, by name. */
  accepts: (fileName: string) => boolean;
  handle: (fileName: string) => Promise<void>;
  logger: Logger;
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

export function startStageLoop(o: StageLoopOptions): StageLoop {
  const pending = new Set<string>();
  const retryMs = o.retryMs ?? 2000;
  let running: Promise<void> | undefined;
  let closed = false;
  let idleWaiters: Array<() => void> = [];
  const timers = new Set<NodeJS.Timeout>();

  const later = (fn: () => void, ms: number) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  const enqueue = (fileName: string) => {
    if (closed || !o.accepts(fileName)) return;
    pending.add(fileName);
    running ??= drain().finally(() => {
      running = undefined;
      if (pending.size > 0 && !closed) enqueue([...pending][0]!);
      else for (const w of idleWaiters.splice(0)) w();
    });
  };

  const drain = async () => {
    while (!closed && pending.size > 0) {
      const next = [...pending].sort()[0]!;
      pending.delete(next);
      const started = Date.now();
      try {
        await o.handle(next);
        o.logger.debug({ file: next, ms: Date.now() - started }, 'file handled');
      } catch (err) {
        if (await exists(path.join(o.inDir, next))) {
          o.logger.error({ err, file: next, retryInMs: retryMs }, 'file failed; kept for retry');
          later(() => enqueue(next), retryMs);
        }
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
      closed = true;
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
