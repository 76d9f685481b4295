// What one batch's receipts say so far: lines answered by outcome, documents per api replica,
// and when they were answered, in time buckets for the throughput chart.
import { count, emptyTally as emptyReceiptTally, isOutcome, type Tally as ReceiptTally } from '../../lib/receipt.ts';

export interface Tally extends ReceiptTally {
  answered: number;
  /** Receipts per time bucket, keyed by the bucket's start (ms since the epoch). */
  buckets: Map<number, number>;
}

interface ReceiptLine {
  pos?: unknown;
  outcome?: unknown;
  pod?: unknown;
  at?: unknown;
}

export function emptyTally(): Tally {
  return { ...emptyReceiptTally(), answered: 0, buckets: new Map() };
}

/** Counts one receipts line; a line json-to-api did not finish writing before a crash is ignored. */
export function addReceipt(t: Tally, text: string, bucketMs: number): void {
  let r: ReceiptLine;
  try {
    r = JSON.parse(text) as ReceiptLine;
  } catch {
    return;
  }
  if (typeof r.pos !== 'number') return;
  t.answered += 1;
  if (isOutcome(r.outcome)) count(t, { outcome: r.outcome, pod: typeof r.pod === 'string' ? r.pod : undefined });
  if (typeof r.at === 'number') {
    const bucket = r.at - (r.at % bucketMs);
    t.buckets.set(bucket, (t.buckets.get(bucket) ?? 0) + 1);
  }
}
