// Lists up to `max` entries under `root` with the real `ls -l`, streaming its output. find,
// head and xargs pass names between them as raw NUL-separated bytes, so a name that is not
// valid UTF-8 reaches ls intact (Node's own argv would have re-encoded it). The root and the
// bound are positional parameters of a fixed script, never spliced into it.
import { execa } from 'execa';

const SCRIPT = 'find "$1" -xdev -mindepth 1 ! -type d -print0 | head -z -n "$2" | xargs -0r ls -ld --quoting-style=literal --';

export function lsTree(root: string, max: number) {
  return execa('sh', ['-c', SCRIPT, 'getdata', root, String(max)], {
    env: { LC_ALL: 'C' },
    encoding: 'buffer',
    reject: false,
    buffer: { stdout: false, stderr: true },
  });
}

/** xargs answers 123 when some ls run exited 1–125, e.g. because a file vanished mid-walk. */
export const LS_OK_CODES = [0, 123];
