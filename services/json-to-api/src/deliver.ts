// Delivers one NDJSON batch: streams its lines, skips those the receipts already record, and
// posts the rest with at most `concurrency` requests in flight, one document or one bulk chunk
// each. Every answer is recorded in the receipts before it counts.
import { readLines } from '../../lib/lines.ts';
import { deadLetter } from '../../lib/dead-letters.ts';
import type { Logger, LogLevel } from '../../lib/logger.ts';
import { count, type Receipt, type Tally } from '../../lib/receipt.ts';
import type { LineSet, ReceiptLog } from './receipts.ts';
import type { Answer, Poster } from './poster.ts';
import { Slots } from './slots.ts';

export interface DeliverOptions {
  batch: string;
  input: string;
  poster: Poster;
  receipts: ReceiptLog;
  done: LineSet;
  tally: Tally;
  mode: 'single' | 'bulk';
  concurrency: number;
  bulkSize: number;
  logger: Logger;
  docLogLevel: LogLevel;
  stopped: () => boolean;
  /** Appends dead letters for documents the api refused or that are not JSON. */
  deadLetters: (lines: string[]) => void;
  onReceipts?: (receipts: Receipt[]) => void;
}

interface Pending {
  id: number;
  text: string;
}

export async function deliverBatch(o: DeliverOptions): Promise<void> {
  const slots = new Slots(o.concurrency);
  let failure: unknown;
  const docLog = o.docLogLevel !== 'silent' && o.logger.isLevelEnabled(o.docLogLevel);

  /** Writes receipts to the file first, then counts them: a receipt counts only once it is on disk. */
  const keep = (receipts: Receipt[]) => {
    o.receipts.write(receipts);
    for (const r of receipts) if (o.done.add(r.line)) count(o.tally, r);
    o.onReceipts?.(receipts);
  };

  const record = (items: Pending[], answers: Answer[]) => {
    const at = Date.now();
    const receipts: Receipt[] = [];
    const dead: string[] = [];
    items.forEach((item, i) => {
      const a = answers[i]!;
      const r: Receipt = 'pod' in a ? { line: item.id, outcome: 'ok', status: a.status, pod: a.pod, at } : { line: item.id, outcome: 'rejected', status: a.status, error: a.error, at };
      if (r.outcome === 'rejected') dead.push(JSON.stringify(deadLetter(o.batch, 'json-to-api', item.id, `api refused it: ${a.status} ${r.error}`, item.text)));
      if (docLog) o.logger[o.docLogLevel as 'info']({ line: item.id }, `Post doc to api: ${item.text}\n${JSON.stringify('pod' in a ? { response: 'ok', container: a.pod } : a)}`);
      receipts.push(r);
    });
    if (dead.length > 0) o.deadLetters(dead);
    keep(receipts);
  };

  const launch = async (items: Pending[]) => {
    await slots.take();
    if (failure) {
      slots.give();
      return;
    }
    const key = items.length === 1 ? `${o.batch}:${items[0]!.id}` : `${o.batch}:${items[0]!.id}-${items[items.length - 1]!.id}`;
    const request = o.mode === 'bulk' ? o.poster.postBulk(items.map((i) => i.text), key) : o.poster.postOne(items[0]!.text, key);
    // A failure to post or to record (say, a full disk) stops the batch; it is retried whole later.
    request
      .then((answer) => record(items, Array.isArray(answer) ? answer : [answer]))
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => slots.give());
  };

  let chunk: Pending[] = [];
  reading: for await (const lines of readLines(o.input)) {
    for (const line of lines) {
      if (o.stopped() || failure) break reading;
      const item = identify(line.no, line.text, line.tooLong);
      if ('invalid' in item) {
        if (o.done.has(item.id)) continue;
        o.deadLetters([JSON.stringify(deadLetter(o.batch, 'json-to-api', item.id, item.invalid, line.text))]);
        keep([{ line: item.id, outcome: 'invalid', error: item.invalid, at: Date.now() }]);
        continue;
      }
      if (o.done.has(item.id) || line.text.trim() === '') continue;
      chunk.push(item);
      if (o.mode === 'single' || chunk.length >= o.bulkSize) {
        await launch(chunk);
        chunk = [];
      }
    }
  }
  if (chunk.length > 0 && !o.stopped() && !failure) await launch(chunk);
  await slots.idle();
  if (failure) throw failure;
}

/** A document's id is its listing line number; a document without one uses its NDJSON line. */
function identify(no: number, text: string, tooLong: boolean): Pending | { id: number; invalid: string } {
  if (tooLong) return { id: no, invalid: 'line too long to be a document' };
  if (text.trim() === '') return { id: no, text };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { id: no, invalid: `not JSON: ${(err as Error).message}` };
  }
  const line = (doc as { line?: unknown } | null)?.line;
  return { id: typeof line === 'number' && Number.isInteger(line) && line > 0 ? line : no, text };
}
