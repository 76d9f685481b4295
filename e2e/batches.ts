// Following one batch through the pipeline and reading what it left: stages seen on the way,
// receipts, the done/ summary and dead letters, all through the target.
import { expect } from '@playwright/test';
import type { BatchSummary } from '../scripts/local/inspect.ts';
import type { Receipt } from '../services/lib/receipt.ts';
import type { DeadLetter } from '../services/lib/dead-letters.ts';
import { batchProgress, PROGRESS, type Progress } from '../services/lib/progress.ts';
import type { Target } from './target.ts';

// Steady and tight: csv-to-json holds a 20,000-line batch for about a tenth of a second, and a
// look costs little (a readdir locally; on kind the kubectl exec itself sets the pace).
const INTERVALS = [20];

/** Watches the volume for one batch, found by `isBatch`, and records each point of its progress it is seen at. */
export class BatchWatch {
  batch: string | undefined;
  readonly seen: Progress[] = [];

  constructor(
    private readonly target: Target,
    private readonly isBatch: (batch: string) => boolean,
  ) {}

  /** Waits until the batch's progress satisfies `reached`; a timeout says where the batch was seen. */
  async until(reached: (progress: Progress) => boolean, message: string, timeout: number): Promise<void> {
    try {
      await expect
        .poll(
          async () => {
            const stage = await this.look();
            return stage !== undefined && reached(stage);
          },
          { message, timeout, intervals: INTERVALS },
        )
        .toBe(true);
    } catch (err) {
      throw new Error(`${message}: not within ${timeout} ms; the batch was seen at: ${this.seen.join(' → ') || 'nothing yet'}`, { cause: err });
    }
  }

  done(timeout: number): Promise<void> {
    return this.until((s) => s === 'done', 'the batch reaches done', timeout);
  }

  private async look(): Promise<Progress | undefined> {
    const stages = batchProgress(await this.target.files());
    this.batch ??= [...stages.keys()].find(this.isBatch);
    const stage = this.batch === undefined ? undefined : stages.get(this.batch);
    if (stage !== undefined && stage !== this.seen[this.seen.length - 1]) this.seen.push(stage);
    return stage;
  }
}

/** Progress seen in pipeline order, none twice: the batch never went back. */
export function inPipelineOrder(seen: Progress[]): boolean {
  return seen.every((s, i) => i === 0 || PROGRESS.indexOf(s) > PROGRESS.indexOf(seen[i - 1]!));
}

export async function receiptsOf(target: Target, batch: string): Promise<Receipt[]> {
  return ndjson<Receipt>(await target.read('receipts', `${batch}.ndjson`));
}

export async function summaryOf(target: Target, batch: string): Promise<BatchSummary> {
  const text = await target.read('done', `${batch}.json`);
  if (!text) throw new Error(`done/${batch}.json is missing`);
  return JSON.parse(text.toString('utf8')) as BatchSummary;
}

export async function deadLettersOf(target: Target, batch: string): Promise<DeadLetter[]> {
  const files = (await target.files()).dead.filter((f) => f.startsWith(`${batch}.`));
  const letters = await Promise.all(files.map(async (f) => ndjson<DeadLetter>(await target.read('dead', f))));
  return letters.flat();
}

/** Every name on the volume, in any folder, that belongs to one of `batches`. */
export async function leftovers(target: Target, batches: Iterable<string>): Promise<string[]> {
  const ids = [...batches];
  return Object.entries(await target.files()).flatMap(([dir, names]) => names.filter((n) => ids.some((id) => n.includes(id))).map((n) => `${dir}/${n}`));
}

/** Each `lines` number has exactly one receipt, an ok answer from a named api replica; the answering pods. */
export function expectAnsweredOnce(receipts: Receipt[], lines: number[]): Map<string, number> {
  const numbers = receipts.map((r) => r.line ?? Number.NaN).sort((a, b) => a - b);
  expect(numbers, 'one receipt per listing line, none twice').toEqual([...lines].sort((a, b) => a - b));
  const wrong = receipts.filter((r) => r.outcome !== 'ok' || r.status !== 200 || typeof r.pod !== 'string' || r.pod === '' || typeof r.at !== 'number');
  expect(wrong, 'receipts that are not {outcome: ok, status: 200, pod, at}').toEqual([]);
  const pods = new Map<string, number>();
  for (const r of receipts) pods.set(r.pod!, (pods.get(r.pod!) ?? 0) + 1);
  return pods;
}

/** The answers came from at least two replicas, and from all of them when there are three. */
export function expectSpread(pods: Map<string, number>, replicas: string[]): void {
  const answering = [...pods.keys()].sort();
  expect(replicas, 'api replicas that answer').toEqual(expect.arrayContaining(answering));
  expect(answering.length, `replicas answering (${answering.join(', ')})`).toBeGreaterThanOrEqual(2);
  if (replicas.length === 3) expect(answering).toEqual([...replicas].sort());
}

function ndjson<T>(data: Buffer | undefined): T[] {
  if (!data) return [];
  const out: T[] = [];
  for (const line of data.toString('utf8').split('\n')) {
    if (!line) continue;
    // A line json-to-api was writing when it was killed is no receipt; it stays unfinished.
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      continue;
    }
  }
  return out;
}
