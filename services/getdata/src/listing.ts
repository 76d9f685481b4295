// Produces one batch: `ls -l` the tree and publish the listing atomically under a new batch
// id, so text-to-csv never sees it half written. A listing that cannot be made is an error
// with its reason, never an empty success.
import { stat } from 'node:fs/promises';
import { AtomicFile } from '../../lib/files.ts';
import { newBatchId } from '../../lib/batches.ts';
import { ListingError } from '../../lib/errors.ts';
import type { Layout } from '../../lib/layout.ts';
import { findEntries, lines, lsEntries, LS_OK_CODES } from './ls.ts';

export interface ListingResult {
  batch: string;
  path: string;
  entries: number;
  /** Complaints from find or ls: unreadable directories, files that vanished mid-walk. */
  warnings: string[];
}

export async function writeListing(l: Layout, root: string, maxFiles: number, tmpName: (batch: string) => string, signal?: AbortSignal): Promise<ListingResult> {
  const info = await stat(root).catch((err: NodeJS.ErrnoException) => {
    throw new ListingError(`cannot list ${root}: ${err.code === 'ENOENT' ? 'it does not exist' : err.message}`);
  });
  if (!info.isDirectory()) throw new ListingError(`cannot list ${root}: it is not a directory`);
  const found = await findEntries(root, maxFiles, signal);
  if (found.names.length === 0 && found.warnings.length > 0) throw new ListingError(`listing ${root} found no entries: ${found.warnings.slice(0, 3).join('; ')}`);

  const batch = newBatchId('getdata');
  const out = await AtomicFile.create(l.file('.tmp', tmpName(batch)), l.output('getdata', batch));
  try {
    let entries = 0;
    let warnings = found.warnings;
    if (found.names.length > 0) {
      const ls = lsEntries(found.names, signal);
      for await (const chunk of ls.stdout as AsyncIterable<Buffer>) {
        for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) entries += 1;
        await out.write(chunk);
      }
      const result = await ls;
      signal?.throwIfAborted();
      warnings = [...warnings, ...lines(result.stderr)];
      if (!LS_OK_CODES.includes(result.exitCode ?? -1)) throw new ListingError(`ls over ${root} failed (exit ${result.exitCode}): ${warnings.slice(0, 3).join('; ')}`);
      if (entries === 0) throw new ListingError(`ls printed nothing for ${found.names.length} entries of ${root}: ${warnings.slice(0, 3).join('; ')}`);
    }
    await out.commit();
    return { batch, path: l.output('getdata', batch), entries, warnings };
  } catch (err) {
    await out.abort();
    throw err;
  }
}
