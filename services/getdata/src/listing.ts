// Produces one batch: `ls -l` the tree and publish the listing atomically under a new batch
// id, so text-to-csv never sees it half written.
import { AtomicFile } from '../../lib/files.ts';
import { newBatchId } from '../../lib/batches.ts';
import type { Layout } from '../../lib/layout.ts';
import { lsTree, LS_OK_CODES } from './ls.ts';

export interface ListingResult {
  batch: string;
  path: string;
  entries: number;
  /** Complaints from find or ls: unreadable directories, files that vanished mid-walk. */
  warnings: string[];
}

export async function writeListing(l: Layout, root: string, maxFiles: number): Promise<ListingResult> {
  const batch = newBatchId('getdata');
  const out = await AtomicFile.create(l.tmp('getdata', `${batch}.txt`), l.listing(batch));
  try {
    const ls = lsTree(root, maxFiles);
    let entries = 0;
    for await (const chunk of ls.stdout as AsyncIterable<Buffer>) {
      for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) entries += 1;
      await out.write(chunk);
    }
    const result = await ls;
    const warnings = Buffer.from(result.stderr).toString().split('\n').filter(Boolean);
    if (!LS_OK_CODES.includes(result.exitCode ?? -1)) {
      throw new Error(`listing ${root} failed (exit ${result.exitCode}): ${warnings.slice(0, 3).join('; ')}`);
    }
    await out.commit();
    return { batch, path: l.listing(batch), entries, warnings };
  } catch (err) {
    await out.abort();
    throw err;
  }
}
