// A summary of the data volume's contents, read through a pod that mounts it: files and bytes
// per stage directory (txt, csv, json, receipts, done, dead, .tmp).
import { kubectl } from './kube.ts';

/** `readers` are deployments that mount the volume; the first with a running pod is used. */
export async function volumeSummary(readers: string[]): Promise<string[]> {
  let listing: string | undefined;
  for (const reader of readers) {
    const out = await kubectl(['exec', `deployment/${reader}`, '--', 'find', '/data', '-mindepth', '2', '-maxdepth', '2', '-type', 'f', '-printf', '%h %s\\n'], { nothrow: true });
    if (out.exitCode === 0) {
      listing = out.stdout;
      break;
    }
  }
  if (listing === undefined) throw new Error(`no running pod of ${readers.join(', ')} to read the volume through`);
  const dirs = new Map<string, { files: number; bytes: number }>();
  for (const line of listing.split('\n').filter(Boolean)) {
    const [dir = '', size = '0'] = line.split(' ');
    const d = dirs.get(dir) ?? { files: 0, bytes: 0 };
    dirs.set(dir, { files: d.files + 1, bytes: d.bytes + Number(size) });
  }
  if (dirs.size === 0) return ['empty'];
  return [...dirs]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([dir, d]) => `${dir.replace('/data/', '').padEnd(9)} ${String(d.files).padStart(5)} files ${(d.bytes / 1024).toFixed(1).padStart(10)} KiB`);
}
