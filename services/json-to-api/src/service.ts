// json-to-api: posts every document of every NDJSON batch in json/ to the api, records who
// answered each line in receipts/, writes the batch's dead letters and its summary to dead/ and
// done/, and only then deletes the batch. It also prunes what finished batches left behind.
import { assertAccounted } from '../../lib/accounting.ts';
import { claimFile, batchOf } from '../../lib/batches.ts';
import { DeadLetters } from '../../lib/dead-letters.ts';
import { removeStaleTemps, unlinkDurably, writeAtomic } from '../../lib/files.ts';
import { ensureLayout, type Layout } from '../../lib/layout.ts';
import type { Logger, LogLevel } from '../../lib/logger.ts';
import { quarantine } from '../../lib/quarantine.ts';
import { outcomes } from '../../lib/receipt.ts';
import { prune, type Retention } from '../../lib/retention.ts';
import { runService, type Running } from '../../lib/service.ts';
import { startStageLoop } from '../../lib/stage.ts';
import { deliverBatch } from './deliver.ts';
import { createPoster } from './poster.ts';
import { eachReceipt, loadReceipts, ReceiptLog } from './receipts.ts';

const STAGE = 'json-to-api';
const PRUNE_EVERY_MS = 10 * 60_000;

export interface JsonToApiOptions {
  dataDir: string;
  apiUrl: string;
  mode?: 'single' | 'bulk';
  concurrency?: number;
  bulkSize?: number;
  port?: number;
  host?: string;
  logLevel?: LogLevel;
  docLogLevel?: LogLevel;
  retention?: Retention;
  /** How long a file dropped by hand must hold still before it is taken. */
  settleMs?: number;
  /** How long a failed batch waits before its next attempt. */
  retryMs?: number;
}

export interface RunningJsonToApi extends Running {
  idle(): Promise<void>;
}

export async function start(o: JsonToApiOptions): Promise<RunningJsonToApi> {
  const l = await ensureLayout(o.dataDir);
  const mode = o.mode ?? 'single';
  const retention = o.retention ?? { maxAgeMs: 24 * 3600_000, maxBatches: 10_000 };
  let idle!: () => Promise<void>;
  const running = await runService({
    name: STAGE,
    port: o.port ?? 8080,
    host: o.host,
    logLevel: o.logLevel,
    async setup({ logger, metrics }) {
      await removeStaleTemps(l.dir('.tmp'), STAGE);
      const docs = metrics.counter('json_to_api_documents_total', 'Documents handled', ['outcome']);
      const retries = metrics.counter('json_to_api_retries_total', 'Requests retried');
      const batches = metrics.counter('json_to_api_batches_total', 'Batches delivered');
      const concurrency = o.concurrency ?? 16;
      const poster = createPoster({ apiUrl: o.apiUrl, concurrency, logger, onRetry: () => retries.inc() });

      const deliver = async (batch: string, signal: AbortSignal) => {
        const startedAt = new Date();
        const { done, tally } = await loadReceipts(l.receipts(batch));
        if (done.size > 0) logger.info({ batch, alreadyAnswered: done.size }, 'resuming batch');
        const receipts = ReceiptLog.open(l.receipts(batch));
        let lines: number;
        try {
          lines = await deliverBatch({
            batch,
            input: l.json(batch),
            poster,
            receipts,
            done,
            tally,
            mode,
            concurrency,
            bulkSize: o.bulkSize ?? 500,
            logger,
            docLogLevel: o.docLogLevel ?? 'info',
            signal,
            onReceipts: (rs) => {
              for (const r of rs) docs.inc({ outcome: r.outcome });
            },
          });
        } finally {
          receipts.close();
        }
        assertAccounted(batch, lines, outcomes(tally));
        await writeDeadLetters(l, batch);
        const summary = { batch, lines, ...tally, mode, startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString() };
        await writeAtomic(l.tmp(STAGE, `${batch}.json`), l.done(batch), JSON.stringify(summary) + '\n');
        await unlinkDurably(l.json(batch));
        batches.inc();
        logger.info({ ...summary, ms: Date.now() - startedAt.getTime() }, 'batch delivered');
      };

      const loop = startStageLoop({
        inDir: l.dir('json'),
        logger,
        retryMs: o.retryMs,
        accepts: (f) => f.endsWith('.ndjson') && !f.startsWith('.'),
        handle: async (fileName, signal) => {
          const batch = batchOf(fileName, '.ndjson');
          if (batch) await deliver(batch, signal);
          else await claimFile(l, 'json', fileName, '.ndjson', o.settleMs ?? 300, logger, signal);
        },
        quarantine: (fileName, reason) => quarantine(l, STAGE, 'json', fileName, batchOf(fileName, '.ndjson') ?? fileName, reason).then(() => undefined),
      });
      const pruning = startPruning(l, retention, logger);
      idle = () => loop.idle();
      await loop.ready;
      return {
        async stop() {
          clearInterval(pruning);
          await loop.close();
          poster.close();
        },
      };
    },
  });
  return { ...running, idle: () => idle() };
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
