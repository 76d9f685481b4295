// Produces one batch: walk the root, `ls -l` the entries in chunks, and publish the listing
// atomically under a new batch id so text-to-csv never sees it half written.
import { AtomicFile } from '../../lib/files.ts';
import { newBatchId } from '../../lib/batches.ts';
import type { Layout } from '../../lib/layout.ts';
import { walk } from './walk.ts';
import { lsLong } from './ls.ts';

const CHUNK = 500;

export interface ListingResult {
  batch: string;
  path: string;
  entries: number;
  missing: number;
}

export async function writeListing(l: Layout, root: string, maxFiles: number): Promise<ListingResult> {
  const batch = newBatchId('getdata');
  const out = await AtomicFile.create(l.tmp('getdata', `${batch}.txt`), l.listing(batch));
  let entries = 0;
  let missing = 0;
  try {
    let chunk: string[] = [];
    const flush = async () => {
      const r = await lsLong(chunk);
      missing += r.missing;
      await out.write(r.listing);
      chunk = [];
    };
    for await (const p of walk(root, maxFiles)) {
      entries += 1;
      chunk.push(p);
      if (chunk.length >= CHUNK) await flush();
    }
    if (chunk.length > 0) await flush();
    await out.commit();
  } catch (err) {
    await out.abort();
    throw err;
  }
  return { batch, path: l.listing(batch), entries: entries - missing, missing };
}
