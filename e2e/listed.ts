// getdata reports the listing it wrote in its JSON log; a one-off run (a Job, or a process
// here) is read back from there.
import type { Listed } from './target.ts';

export class GetdataError extends Error {
  override name = 'GetdataError';
}

export function listedFrom(log: string): Listed {
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { msg?: string; batch?: unknown; entries?: unknown };
    if (entry.msg === 'listing written' && typeof entry.batch === 'string' && typeof entry.entries === 'number') {
      return { batch: entry.batch, entries: entry.entries };
    }
  }
  throw new GetdataError(`getdata's log has no "listing written" line:\n${log.slice(-2000)}`);
}
