// What the dashboard has read of one batch's receipts so far: the batch's tally (the same one
// json-to-api keeps, services/lib/receipt.ts), how many lines have an answer, and when they
// were answered, in time buckets for the throughput chart.
import { count, emptyTally, isOutcome, type Tally } from '../../lib/receipt.ts';

export interface ReceiptsSeen {
  tally: Tally;
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

export function noReceiptsSeen(): ReceiptsSeen {
  return { tally: emptyTally(), answered: 0, buckets: new Map() };
}

/** Counts one receipts line; a line json-to-api did not finish writing before a crash is ignored. */
export function addReceiptLine(seen: ReceiptsSeen, text: string, bucketMs: number): void {
  let r: ReceiptLine;
  try {
    r = JSON.parse(text) as ReceiptLine;
  } catch {
    return;
  }
  if (typeof r.pos !== 'number') return;
  seen.answered += 1;
  if (isOutcome(r.outcome)) count(seen.tally, { outcome: r.outcome, pod: typeof r.pod === 'string' ? r.pod : undefined });
  if (typeof r.at === 'number') {
    const bucket = r.at - (r.at % bucketMs);
    seen.buckets.set(bucket, (seen.buckets.get(bucket) ?? 0) + 1);
  }
}
