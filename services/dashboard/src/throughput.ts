// Receipts per time bucket over a sliding window, summed across batches, oldest bucket first;
// the last bucket is the one still filling.

export interface Window {
  bucketMs: number;
  buckets: number;
}

export function windowStart(now: number, w: Window): number {
  return now - (now % w.bucketMs) - (w.buckets - 1) * w.bucketMs;
}

export function series(perBatch: Iterable<Map<number, number>>, now: number, w: Window): number[] {
  const start = windowStart(now, w);
  const out = new Array<number>(w.buckets).fill(0);
  for (const buckets of perBatch) {
    for (const [at, n] of buckets) {
      const i = (at - start) / w.bucketMs;
      if (i >= 0 && i < w.buckets) out[i] = out[i]! + n;
    }
  }
  return out;
}

/** Forgets buckets that have slid out of the window, so a batch's tally stays small. */
export function prune(buckets: Map<number, number>, now: number, w: Window): void {
  const start = windowStart(now, w);
  for (const at of buckets.keys()) if (at < start) buckets.delete(at);
}
