// Dev mode's watcher: the files the cluster's code, manifests and images come from. Changes that
// arrive together (an editor's save, a `git checkout`) are handled as one, and changes that
// arrive during a reload wait for it and are handled next, together.
import path from 'node:path';
import { watch } from 'chokidar';
import type { Change } from './typecheck.ts';

/** Quiet time after a change before acting: one save often writes more than once. */
const SETTLE_MS = 30;

export const WATCHED = ['services', 'manifests', 'package.json', 'package-lock.json', 'tsconfig.json', 'scripts/lib/dev'];
const IGNORED = /(^|[/\\])(node_modules|dist|\..+)([/\\]|$)/;

export interface Batch {
  changes: Change[];
  /** performance.now() of the first change of the batch: what a reload's time counts from. */
  since: number;
}

export interface Watching {
  ready: Promise<void>;
}

export function watchSources(root: string, handle: (batch: Batch) => Promise<void>): Watching {
  const watcher = watch(
    WATCHED.map((p) => path.join(root, p)),
    { ignoreInitial: true, ignored: (file) => IGNORED.test(path.relative(root, file)) },
  );
  let pending: Batch | undefined;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const flush = () => {
    if (running || !pending) return;
    const batch = pending;
    pending = undefined;
    running = handle(batch).finally(() => {
      running = undefined;
      flush();
    });
  };
  const on = (kind: Change['kind']) => (file: string) => {
    pending ??= { changes: [], since: performance.now() };
    pending.changes.push({ file: path.resolve(file), kind });
    clearTimeout(timer);
    timer = setTimeout(flush, SETTLE_MS);
  };
  watcher.on('add', on('add')).on('change', on('change')).on('unlink', on('unlink'));

  return {
    ready: new Promise((resolve) => watcher.once('ready', () => resolve())),
  };
}
