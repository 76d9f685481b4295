// A converter stage: for each input batch, write the output and its dead letters atomically,
// and only then delete the input. A crash at any point leaves either the input (redo) or the
// finished output (and a redo of the same batch id rewrites identical files downstream, which
// json-to-api's receipts make harmless). A stop (SIGTERM) abandons the batch in hand the same
// way, and a batch is committed only when every input line has an outcome.
import path from 'node:path';
import { assertAccounted } from './accounting.ts';
import { AtomicFile, removeStaleTemps, unlinkDurably } from './files.ts';
import { DeadLetters } from './dead-letters.ts';
import { ensureLayout, type StageDir } from './layout.ts';
import { batchOf, claimFile } from './batches.ts';
import { quarantine } from './quarantine.ts';
import { runService, type Running } from './service.ts';
import { startStageLoop } from './stage.ts';
import type { LogLevel } from './logger.ts';

/** What became of a batch's input lines; `lines` is how many the input had, read to its end. */
export interface StageCounts {
  lines: number;
  rows: number;
  dead: number;
  skipped: number;
}

export interface FileStageOptions {
  name: string;
  dataDir: string;
  port?: number;
  host?: string;
  logLevel?: LogLevel;
  from: { dir: StageDir; ext: string };
  to: { dir: StageDir; ext: string };
  /** Converts one input; stops by throwing the signal's reason once it is aborted. */
  convert(input: string, out: AtomicFile, dead: DeadLetters, signal: AbortSignal): Promise<StageCounts>;
  /** Accept hand-dropped inputs with any name, renamed to a batch id once they stop growing. */
  claimForeign?: { settleMs: number };
}

export interface RunningStage extends Running {
  /** Resolves when every input seen so far has been handled. */
  idle(): Promise<void>;
}

export async function startFileStage(o: FileStageOptions): Promise<RunningStage> {
  const l = await ensureLayout(o.dataDir);
  let idle!: () => Promise<void>;
  const running = await runService({
    name: o.name,
    port: o.port ?? 8080,
    host: o.host,
    logLevel: o.logLevel,
    async setup({ logger, metrics }) {
      const stale = await removeStaleTemps(l.dir('.tmp'), o.name);
      if (stale > 0) logger.warn({ files: stale }, 'removed temp files of an interrupted run');
      const batches = metrics.counter(`${metric(o.name)}_batches_total`, 'Batches converted', ['outcome']);
      const lines = metrics.counter(`${metric(o.name)}_lines_total`, 'Lines by outcome', ['outcome']);
      const seconds = metrics.histogram(`${metric(o.name)}_batch_seconds`, 'Time to convert one batch', [0.01, 0.1, 0.5, 1, 5, 30, 120]);
      const inDir = l.dir(o.from.dir);

      const convertBatch = async (batch: string, signal: AbortSignal) => {
        const input = path.join(inDir, `${batch}${o.from.ext}`);
        const started = Date.now();
        const out = await AtomicFile.create(l.tmp(o.name, `${batch}${o.to.ext}`), l.file(o.to.dir, `${batch}${o.to.ext}`));
        const dead = new DeadLetters(l, o.name, batch);
        try {
          const counts = await o.convert(input, out, dead, signal);
          const { lines: total, ...outcomes } = counts;
          assertAccounted(batch, total, outcomes);
          await dead.commit();
          await out.commit();
          await unlinkDurably(input);
          batches.inc({ outcome: 'ok' });
          lines.inc({ outcome: 'converted' }, counts.rows);
          lines.inc({ outcome: 'dead' }, counts.dead);
          lines.inc({ outcome: 'skipped' }, counts.skipped);
          seconds.observe((Date.now() - started) / 1000);
          logger.info({ batch, ...counts, ms: Date.now() - started }, 'batch converted');
        } catch (err) {
          batches.inc({ outcome: signal.aborted ? 'stopped' : 'error' });
          await Promise.all([out.abort(), dead.abort()]);
          throw err;
        }
      };

      const loop = startStageLoop({
        inDir,
        logger,
        accepts: (f) => f.endsWith(o.from.ext) && !f.startsWith('.'),
        handle: async (fileName, signal) => {
          const batch = batchOf(fileName, o.from.ext);
          if (batch) return convertBatch(batch, signal);
          if (o.claimForeign) await claimFile(l, o.from.dir, fileName, o.from.ext, o.claimForeign.settleMs, logger, signal);
        },
        quarantine: (fileName, reason) => quarantine(l, o.name, o.from.dir, fileName, batchOf(fileName, o.from.ext) ?? fileName, reason).then(() => undefined),
      });
      idle = () => loop.idle();
      await loop.ready;
      return { stop: () => loop.close() };
    },
  });
  return { ...running, idle: () => idle() };
}

function metric(name: string): string {
  return name.replace(/-/g, '_');
}
