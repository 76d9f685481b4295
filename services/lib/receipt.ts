// One line of a receipts file (receipts/<batch>.ndjson): json-to-api writes them, the dashboard,
// the tests and the e2e suite read them, and all of them count them the same way.

export type Outcome = 'ok' | 'rejected' | 'invalid';

export interface Receipt {
  line: number;
  outcome: Outcome;
  status?: number;
  pod?: string;
  error?: string;
  at: number;
}

export interface Tally {
  ok: number;
  rejected: number;
  invalid: number;
  pods: Record<string, number>;
}

export function emptyTally(): Tally {
  return { ok: 0, rejected: 0, invalid: 0, pods: {} };
}

export function isOutcome(value: unknown): value is Outcome {
  return value === 'ok' || value === 'rejected' || value === 'invalid';
}

/** Counts one receipt by outcome and, when the api accepted it, by the pod that answered. */
export function count(tally: Tally, r: Pick<Receipt, 'outcome' | 'pod'>): void {
  tally[r.outcome] += 1;
  if (r.pod && r.outcome === 'ok') tally.pods[r.pod] = (tally.pods[r.pod] ?? 0) + 1;
}
