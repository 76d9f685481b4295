// One line of a receipts file (receipts/<batch>.ndjson): json-to-api writes them, the dashboard,
// the tests and the e2e suite read them, and all of them count them the same way.

export type Outcome = 'ok' | 'rejected' | 'invalid' | 'skipped';

export interface Receipt {
  /** 1-based position of the line in the batch file: what the ledger is keyed by. */
  pos: number;
  /** The listing line the document says it came from, kept for tracing only. */
  line?: number;
  outcome: Outcome;
  status?: number;
  pod?: string;
  /** Why a line was not delivered. */
  reason?: string;
  /** A refused or invalid line as read (cut just past RAW_CHARS, so its dead letter can say it was cut), for its dead letter at the end of the batch. */
  raw?: string;
  at: number;
}

export interface Tally {
  ok: number;
  rejected: number;
  invalid: number;
  skipped: number;
  pods: Record<string, number>;
}

export function emptyTally(): Tally {
  return { ok: 0, rejected: 0, invalid: 0, skipped: 0, pods: {} };
}

export function isOutcome(value: unknown): value is Outcome {
  return value === 'ok' || value === 'rejected' || value === 'invalid' || value === 'skipped';
}

/** Counts one receipt by outcome and, when the api accepted it, by the pod that answered. */
export function count(tally: Tally, r: Pick<Receipt, 'outcome' | 'pod'>): void {
  tally[r.outcome] += 1;
  if (r.pod && r.outcome === 'ok') tally.pods[r.pod] = (tally.pods[r.pod] ?? 0) + 1;
}

/** The outcomes alone, as the line accounting adds them up. */
export function outcomes({ ok, rejected, invalid, skipped }: Tally): Record<Outcome, number> {
  return { ok, rejected, invalid, skipped };
}
