// A scratch copy of the project, for what must edit sources without touching the user's: the dev
// mode test and the inner-loop benchmark. Its node_modules is a link to the project's own.
import { cp, mkdtemp, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { root } from './paths.ts';

const LEFT_OUT = new Set(['node_modules', 'dist', '.git', 'test-results', 'playwright-report', '.data']);

/** Copies the project into a new temporary folder; resolves with its path. */
export async function scratchCopy(from = root): Promise<string> {
  const top = path.resolve(from);
  const to = await mkdtemp(path.join(os.tmpdir(), 'k8s-pipe-scratch-'));
  await cp(top, to, { recursive: true, filter: (src) => !(path.dirname(src) === top && LEFT_OUT.has(path.basename(src))) });
  await symlink(path.join(top, 'node_modules'), path.join(to, 'node_modules'), 'dir');
  return to;
}
