// Delivers one NDJSON batch: streams its lines, skips the positions the receipts already record,
// and posts the rest with at most `concurrency` requests in flight, one document or one bulk
// chunk each. Every answer is recorded in the receipts before it counts. The batch is delivered
// only when its file was read to the end and every line has an outcome; a stop leaves it
// partly answered, to be resumed.
import { setTimeout as sleep } from 'node:timers/promises';
import { RAW_CHARS } from '../../lib/dead-letters.ts';
import { BatchError, RejectedError, StoppedError } from '../../lib/errors.ts';
import { readLines } from '../../lib/lines.ts';
import type { Logger, LogLevel } from '../../lib/logger.ts';
import { count, type Receipt, type Tally } from '../../lib/receipt.ts';
import type { Positions, ReceiptLog } from './receipts.ts';
import type { Answer, Poster } from './poster.ts';
import { Slots } from './slots.ts';

/** How long a stop waits for requests in flight to be answered before it abandons them. */
export const SETTLE_MS = 3000;

export interface DeliverOptions {
  batch: string;
  input: string;
  poster: Poster;
  receipts: ReceiptLog;
  done: Positions;
  tally: Tally;
  mode: 'single' | 'bulk';
  concurrency: number;
  bulkSize: number;
  logger: Logger;
  docLogLevel: LogLevel;
  signal: AbortSignal;
  onReceipts?: (receipts: Receipt[]) => void;
}

interface Pending {
  pos: number;
  line?: number;
  text: string;
}

/** Returns how many lines the batch file has; every one of them then has a receipt. */
export async function deliverBatch(o: DeliverOptions): Promise<number> {
  const slots = new Slots(o.concurrency);
  const answeredBefore = o.done.size;
  let failure: unknown;
  const docLog = o.docLogLevel !== 'silent' && o.logger.isLevelEnabled(o.docLogLevel);

  /** Writes receipts to the file first, then counts them: a receipt counts only once it is on disk. */
  const write = (receipts: Receipt[]) => {
    o.receipts.write(receipts);
    for (const r of receipts) if (o.done.add(r.pos)) count(o.tally, r);
    o.onReceipts?.(receipts);
  };
  // Answers that arrive in one turn of the event loop share one write, and a request's slot is
  // given back only once its receipts are written: no more than `concurrency` requests' answers
  // are ever unrecorded, and the freed slots send their next requests together. A write and a
  // wake-up an answer had cost single mode about 40 % of json-to-api's CPU a document.
  let queued: Receipt[] = [];
  let afterWrite: Array<() => void> = [];
  const flush = () => {
    const receipts = queued;
    const then = afterWrite;
    queued = [];
    afterWrite = [];
    try {
      if (receipts.length > 0) write(receipts);
    } catch (err) {
      // A receipt that cannot be written (say, a full disk) stops the batch; it is retried later.
      failure ??= err;
    }
    for (const f of then) f();
  };
  const keep = (receipts: Receipt[]) => {
    if (queued.length === 0) setImmediate(flush);
    for (const r of receipts) queued.push(r);
  };
  /** Calls `f` once every receipt kept so far is written. */
  const whenWritten = (f: () => void) => {
    if (queued.length === 0) f();
    else afterWrite.push(f);
  };

  const record = (items: Pending[], answers: Answer[]) => {
    const at = Date.now();
    keep(
      items.map((item, i) => {
        const a = answers[i]!;
        if (docLog) o.logger[o.docLogLevel as 'info']({ pos: item.pos }, `Post doc to api: ${item.text}\n${JSON.stringify('pod' in a ? { response: 'ok', container: a.pod } : a)}`);
        const { pos, line } = item;
        return 'pod' in a
          ? { pos, line, outcome: 'ok', status: a.status, pod: a.pod, at }
          : { pos, line, outcome: 'rejected', status: a.status, reason: `the api refused it: ${a.status} ${a.error}`, raw: item.text.slice(0, RAW_CHARS + 1), at };
      }),
    );
  };

  const keyOf = (items: Pending[]) => (items.length === 1 ? `${o.batch}:${items[0]!.pos}` : `${o.batch}:${items[0]!.pos}-${items[items.length - 1]!.pos}`);

  /** Posts a chunk; one the api refuses as a whole is split until each document is answered on its own. */
  const post = async (items: Pending[]): Promise<void> => {
    if (o.mode === 'single') return record(items, [await o.poster.postOne(items[0]!.text, keyOf(items), o.signal)]);
    try {
      record(
        items,
        await o.poster.postBulk(
          items.map((i) => i.text),
          keyOf(items),
          o.signal,
        ),
      );
    } catch (err) {
      if (!(err instanceof RejectedError)) throw err;
      if (items.length === 1) return record(items, [{ status: err.status, error: err.message }]);
      o.logger.warn({ batch: o.batch, documents: items.length, status: err.status, reason: err.message }, 'bulk request refused; splitting it');
      const half = Math.ceil(items.length / 2);
      await post(items.slice(0, half));
      await post(items.slice(half));
    }
  };

  const launch = async (items: Pending[]) => {
    await slots.take();
    if (failure) {
      slots.give();
      return;
    }
    // A failure to post stops the batch; it is retried later.
    post(items)
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => whenWritten(() => slots.give()));
  };

  let lines = 0;
  let chunk: Pending[] = [];
  try {
    for await (const batch of readLines(o.input, undefined, o.signal)) {
      for (const line of batch) {
        lines = line.pos;
        if (failure) break;
        if (o.done.has(line.pos)) continue;
        const item = identify(line.pos, line.text, line.tooLong);
        if ('outcome' in item) {
          keep([{ ...item, at: Date.now() }]);
          continue;
        }
        chunk.push(item);
        if (o.mode === 'single' || chunk.length >= o.bulkSize) {
          await launch(chunk);
          chunk = [];
        }
      }
      if (failure) break;
    }
    if (chunk.length > 0 && !failure) await launch(chunk);
  } catch (err) {
    if (!o.signal.aborted) throw err;
  }
  if (o.signal.aborted) {
    // Answers already on their way are worth keeping; the rest are resent after a restart.
    await Promise.race([slots.idle(), sleep(SETTLE_MS)]);
    o.poster.abortInFlight();
  }
  await slots.idle();
  flush();
  if (o.signal.aborted) throw o.signal.reason instanceof StoppedError ? o.signal.reason : new StoppedError('json-to-api is stopping');
  if (failure) throw new BatchError(`delivering ${o.batch} failed: ${(failure as Error).message}`, o.done.size > answeredBefore, { cause: failure });
  return lines;
}

type Outcome = Pick<Receipt, 'pos' | 'outcome' | 'reason' | 'raw'>;

/** A line to post, or the outcome of one that is no document: blank, cut short or not JSON. */
export function identify(pos: number, text: string, tooLong: boolean): Pending | Outcome {
  if (tooLong) return { pos, outcome: 'invalid', reason: 'line too long to be a document', raw: text.slice(0, RAW_CHARS + 1) };
  if (text.trim() === '') return { pos, outcome: 'skipped', reason: 'empty line' };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return { pos, outcome: 'invalid', reason: `not JSON: ${(err as Error).message}`, raw: text.slice(0, RAW_CHARS + 1) };
  }
  const line = (doc as { line?: unknown } | null)?.line;
  return { pos, text, ...(Number.isSafeInteger(line) && (line as number) > 0 ? { line: line as number } : {}) };
}
