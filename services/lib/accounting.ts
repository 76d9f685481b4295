// One meaning of "done" for every stage: each input line of a batch has exactly one recorded
// outcome (converted, delivered, rejected, dead-lettered or skipped with a reason). A stage
// that stopped early, or lost count, must not write its output and delete its input.
import { IncompleteBatchError } from './errors.ts';

export function assertAccounted(batch: string, lines: number, outcomes: Record<string, number>): void {
  const sum = Object.values(outcomes).reduce((a, b) => a + b, 0);
  if (sum !== lines) {
    throw new IncompleteBatchError(`batch ${batch} has ${lines} input lines but ${sum} outcomes (${JSON.stringify(outcomes)}); it stays in place to be redone`);
  }
}
