// json-to-api, the sink: posts every document of every NDJSON batch it reads to the api, records
// who answered each line in its receipts, and, once every line has an outcome, writes the
// batch's dead letters and its summary; the shared stage machinery (services/lib/file-stage.ts)
// then deletes the batch. It also prunes what finished batches left behind.
import { DEFAULTS } from '../../lib/config.ts';
import { DeadLetters } from '../../lib/dead-letters.ts';
import { startFileStage, type RunningStage, type StageOptions } from '../../lib/file-stage.ts';
import { writeAtomic } from '../../lib/files.ts';
import type { Layout } from '../../lib/layout.ts';
import type { Logger, LogLevel } from '../../lib/logger.ts';
import { outcomes, type Outcome } from '../../lib/receipt.ts';
import { prune, type Retention } from '../../lib/retention.ts';
import { deliverBatch } from './deliver.ts';
import { createPoster } from './poster.ts';
import { eachReceipt, loadReceipts, ReceiptLog } from './receipts.ts';

const STAGE = 'json-to-api';
const PRUNE_EVERY_MS = 10 * 60_000;

export interface JsonToApiOptions extends StageOptions {
  apiUrl: string;
  mode?: 'single' | 'bulk';
  concurrency?: number;
  bulkSize?: number;
  docLogLevel?: LogLevel;
  retention?: Retention;
}

export function start(o: JsonToApiOptions): Promise<RunningStage> {
  const mode = o.mode ?? DEFAULTS.postMode;
  const concurrency = o.concurrency ?? DEFAULTS.concurrency;
  const retention = o.retention ?? { maxAgeMs: DEFAULTS.retainHours * 3600_000, maxBatches: DEFAULTS.retainBatches };
  return startFileStage({
    ...o,
    name: STAGE,
    async setup({ logger, metrics, layout: l }) {
      const docs = metrics.counter('json_to_api_documents_total', 'Documents handled', ['outcome']);
      const retries = metrics.counter('json_to_api_retries_total', 'Requests retried');
      const poster = createPoster({ apiUrl: o.apiUrl, concurrency, logger, onRetry: () => retries.inc() });
      const pruning = startPruning(l, retention, logger);
      return {
        async open(batch, input) {
          const startedAt = new Date();
          const { done, tally } = await loadReceipts(l.receipts(batch));
          if (done.size > 0) logger.info({ batch, alreadyAnswered: done.size }, 'resuming batch');
          let lines = 0;
          return {
            async run(signal) {
              const receipts = ReceiptLog.open(l.receipts(batch));
              try {
                lines = await deliverBatch({
                  batch,
                  input,
                  poster,
                  receipts,
                  done,
                  tally,
                  mode,
                  concurrency,
                  bulkSize: o.bulkSize ?? DEFAULTS.bulkSize,
                  logger,
                  docLogLevel: o.docLogLevel ?? DEFAULTS.docLogLevel,
                  signal,
                  // One inc per outcome and call, not per receipt: prom-client hashes the labels on every inc.
                  onReceipts: (rs) => {
                    const by: Partial<Record<Outcome, number>> = {};
                    for (const r of rs) by[r.outcome] = (by[r.outcome] ?? 0) + 1;
                    for (const [outcome, n] of Object.entries(by)) docs.inc({ outcome }, n);
                  },
                });
              } finally {
                receipts.close();
              }
              return { lines, outcomes: outcomes(tally) };
            },
            async commit() {
              // The tally counts every receipt, those of earlier runs too: with nothing refused or invalid there is nothing to look for.
              if (tally.rejected + tally.invalid > 0) await writeDeadLetters(l, batch);
              const summary = { batch, lines, ...tally, mode, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString() };
              await writeAtomic(l.tmp(STAGE, `${batch}.json`), l.done(batch), JSON.stringify(summary) + '\n');
            },
            // The receipts are the ledger a later attempt resumes from: nothing to throw away.
            async abort() {},
          };
        },
        async stop() {
          clearInterval(pruning);
          poster.close();
        },
      };
    },
  });
}

/** The batch's dead letters, from the receipts of the lines that were refused or not documents. */
async function writeDeadLetters(l: Layout, batch: string): Promise<void> {
  const dead = new DeadLetters(l, STAGE, batch);
  try {
    await eachReceipt(l.receipts(batch), async (r) => {
      if (r.outcome === 'rejected' || r.outcome === 'invalid') await dead.add(r.pos, r.reason ?? r.outcome, r.raw ?? '');
    });
    await dead.commit();
  } catch (err) {
    await dead.abort();
    throw err;
  }
}

function startPruning(l: Layout, keep: Retention, logger: Logger): NodeJS.Timeout {
  const run = () =>
    prune(l, keep).then(
      (r) => r.batches > 0 && logger.info({ ...r, keepHours: keep.maxAgeMs / 3600_000, keepBatches: keep.maxBatches }, 'pruned finished batches'),
      (err: unknown) => logger.error({ err }, 'pruning failed'),
    );
  void run();
  const timer = setInterval(() => void run(), PRUNE_EVERY_MS);
  timer.unref();
  return timer;
}
