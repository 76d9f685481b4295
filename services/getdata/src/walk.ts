// Walks a directory tree without following links or leaving the root's file system, yielding
// every entry that is not a directory (files, links, devices, pipes, sockets), up to a bound.
import { lstat, opendir } from 'node:fs/promises';
import path from 'node:path';

export async function* walk(root: string, max: number): AsyncGenerator<string> {
  const rootDev = (await lstat(root)).dev;
  const dirs = [root];
  let count = 0;
  while (dirs.length > 0 && count < max) {
    const dir = dirs.pop()!;
    const handle = await opendir(dir).catch(() => undefined);
    if (!handle) continue;
    const subdirs: string[] = [];
    for await (const entry of handle) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        subdirs.push(full);
        continue;
      }
      yield full;
      if (++count >= max) break;
    }
    for (const sub of subdirs.sort().reverse()) {
      if ((await lstat(sub).catch(() => undefined))?.dev === rootDev) dirs.push(sub);
    }
  }
}
