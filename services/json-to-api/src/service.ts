// json-to-api: posts every document of every NDJSON batch in json/ to the api, records who
// answered each line in receipts/, writes a summary to done/, and only then deletes the batch.
import { appendFileSync } from 'node:fs';
import { ensureLayout } from '../../lib/layout.ts';
import { claimFile, batchOf } from '../../lib/batches.ts';
import { unlinkDurably, writeAtomic } from '../../lib/files.ts';
import type { LogLevel } from '../../lib/logger.ts';
import { runService, type Running } from '../../lib/service.ts';
import { startStageLoop } from '../../lib/stage.ts';
import { deliverBatch } from './deliver.ts';
import { createPoster, StoppedError } from './poster.ts';
import { loadReceipts, ReceiptLog } from './receipts.ts';

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
}

export interface RunningJsonToApi extends Running {
  idle(): Promise<void>;
}

export async function start(o: JsonToApiOptions): Promise<RunningJsonToApi> {
  const l = await ensureLayout(o.dataDir);
  let idle!: () => Promise<void>;
  const running = await runService({
    name: 'json-to-api',
    port: o.port ?? 8080,
    host: o.host,
    logLevel: o.logLevel,
    async setup({ logger, metrics }) {
      let stopping = false;
      const docs = metrics.counter('json_to_api_documents_total', 'Documents handled', ['outcome']);
      const retries = metrics.counter('json_to_api_retries_total', 'Requests retried');
      const batches = metrics.counter('json_to_api_batches_total', 'Batches delivered');
      const concurrency = o.concurrency ?? 16;
      const poster = createPoster({ apiUrl: o.apiUrl, concurrency, logger, stopped: () => stopping, onRetry: () => retries.inc() });

      const deliver = async (batch: string) => {
        const input = l.json(batch);
        const startedAt = new Date();
        const { done, tally } = await loadReceipts(l.receipts(batch));
        if (done.size > 0) logger.info({ batch, alreadyAnswered: done.size }, 'resuming batch');
        const receipts = ReceiptLog.open(l.receipts(batch));
        try {
          await deliverBatch({
            batch,
            input,
            poster,
            receipts,
            done,
            tally,
            mode: o.mode ?? 'single',
            concurrency,
            bulkSize: o.bulkSize ?? 500,
            logger,
            docLogLevel: o.docLogLevel ?? 'info',
            stopped: () => stopping,
            deadLetters: (lines) => appendFileSync(l.dead(batch, 'json-to-api'), lines.join('\n') + '\n'),
            onReceipts: (rs) => {
              for (const r of rs) docs.inc({ outcome: r.outcome });
            },
          });
        } finally {
          receipts.close();
        }
        const summary = { batch, lines: done.size, ...tally, mode: o.mode ?? 'single', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString() };
        await writeAtomic(l.tmp('json-to-api', `${batch}.json`), l.done(batch), JSON.stringify(summary) + '\n');
        await unlinkDurably(input);
        batches.inc();
        logger.info({ ...summary, ms: Date.now() - startedAt.getTime() }, 'batch delivered');
      };

      const loop = startStageLoop({
        inDir: l.dir('json'),
        logger,
        accepts: (f) => f.endsWith('.ndjson') && !f.startsWith('.'),
        handle: async (fileName) => {
          const batch = batchOf(fileName, '.ndjson');
          try {
            if (batch) await deliver(batch);
            else await claimFile(l, 'json', fileName, '.ndjson', 300, logger);
          } catch (err) {
            if (err instanceof StoppedError) return;
            throw err;
          }
        },
      });
      idle = () => loop.idle();
      await loop.ready;
      return {
        async stop() {
          stopping = true;
          await loop.close();
          poster.close();
        },
      };
    },
  });
  return { ...running, idle: () => idle() };
}
