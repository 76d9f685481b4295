// What one batch's receipts say so far: lines answered by outcome, documents per api replica,
// and when they were answered, in time buckets for the throughput chart.

export interface Tally {
  answered: number;
  ok: number;
  rejected: number;
  invalid: number;
  pods: Record<string, number>;
  /** Receipts per time bucket, keyed by the bucket's start (ms since the epoch). */
  buckets: Map<number, number>;
}

interface ReceiptLine {
  line?: unknown;
  outcome?: unknown;
  pod?: unknown;
  at?: unknown;
}

export function emptyTally(): Tally {
  return { answered: 0, ok: 0, rejected: 0, invalid: 0, pods: {}, buckets: new Map() };
}

/** Counts one receipts line; a line json-to-api did not finish writing before a crash is ignored. */
export function addReceipt(t: Tally, text: string, bucketMs: number): void {
  let r: ReceiptLine;
  try {
    r = JSON.parse(text) as ReceiptLine;
  } catch {
    return;
  }
  if (typeof r.line !== 'number') return;
  t.answered += 1;
  if (r.outcome === 'ok') {
    t.ok += 1;
    if (typeof r.pod === 'string') t.pods[r.pod] = (t.pods[r.pod] ?? 0) + 1;
  } else if (r.outcome === 'rejected') t.rejected += 1;
  else if (r.outcome === 'invalid') t.invalid += 1;
  if (typeof r.at === 'number') {
    const bucket = r.at - (r.at % bucketMs);
    t.buckets.set(bucket, (t.buckets.get(bucket) ?? 0) + 1);
  }
}
