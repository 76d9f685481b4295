// Lists up to `max` entries under `root` with the real `ls -l`, using only what POSIX hosts,
// macOS and busybox all have. find passes names to Node as raw NUL-separated bytes and Node
// counts them (there is no portable `head -z`), then xargs hands the same bytes to ls, so a name
// that is not valid UTF-8 reaches ls intact (Node's own argv would have re-encoded it).
import { execa } from 'execa';
import { ListingError } from '../../lib/errors.ts';

export interface Found {
  names: Buffer[];
  /** What find said on stderr: unreadable directories, entries that vanished mid-walk. */
  warnings: string[];
}

/** The first `max` paths under `root` that are not directories, as find prints them. */
export async function findEntries(root: string, max: number, signal?: AbortSignal): Promise<Found> {
  const find = execa('find', [root, '-xdev', '-mindepth', '1', '!', '-type', 'd', '-print0'], {
    env: { LC_ALL: 'C' },
    encoding: 'buffer',
    reject: false,
    buffer: { stdout: false, stderr: true },
    cancelSignal: signal,
  });
  const names: Buffer[] = [];
  let rest = Buffer.alloc(0);
  for await (const chunk of find.stdout as AsyncIterable<Buffer>) {
    let data = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    for (let nul = data.indexOf(0); nul !== -1 && names.length < max; nul = data.indexOf(0)) {
      names.push(Buffer.from(data.subarray(0, nul)));
      data = data.subarray(nul + 1);
    }
    rest = Buffer.from(data);
    if (names.length >= max) {
      find.kill();
      break;
    }
  }
  const done = await find;
  signal?.throwIfAborted();
  const warnings = lines(done.stderr);
  // find exits 1 when it could not read some directory; that still lists the rest.
  if (names.length < max && done.exitCode !== 0 && done.exitCode !== 1) throw new ListingError(`find ${root} failed (exit ${done.exitCode}): ${warnings.slice(0, 3).join('; ')}`);
  return { names, warnings };
}

/** Streams `ls -ld` of the names. QUOTING_STYLE keeps GNU ls literal; other ls print names as they are. */
export function lsEntries(names: Buffer[], signal?: AbortSignal) {
  return execa('xargs', ['-0', 'ls', '-ld', '--'], {
    env: { LC_ALL: 'C', QUOTING_STYLE: 'literal' },
    input: Buffer.concat(names.flatMap((n) => [n, Buffer.from([0])])),
    encoding: 'buffer',
    reject: false,
    buffer: { stdout: false, stderr: true },
    cancelSignal: signal,
  });
}

/** xargs answers 123 when some ls run exited 1–125, e.g. because a file vanished mid-walk. */
export const LS_OK_CODES = [0, 123];

export function lines(bytes: Uint8Array): string[] {
  return Buffer.from(bytes).toString().split('\n').filter(Boolean);
}
