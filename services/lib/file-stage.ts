// What every stage that reads batches shares, the converters and json-to-api alike: take each
// batch of the input folder the pipeline gives the stage (services/lib/pipeline.ts), oldest
// first, and claim any file dropped there by hand as a batch; make the batch's outputs; check
// that every input line has an outcome; commit the outputs (a big batch's parts go on as they
// fill: services/lib/parts.ts) and only then delete the input. A crash at any point leaves
// either the input (redo) or the finished output (a redo of the same batch id rewrites
// identical files downstream, which json-to-api's receipts make harmless). A stop (SIGTERM)
// abandons the batch in hand the same way; a batch that keeps failing without progress is
// quarantined (services/lib/stage.ts).
import path from 'node:path';
import { assertAccounted } from './accounting.ts';
import { batchOf, claimFile } from './batches.ts';
import { DEFAULTS } from './config.ts';
import { DeadLetters } from './dead-letters.ts';
import { PipelineError } from './errors.ts';
import { removeStaleTemps, unlinkDurably } from './files.ts';
import { ensureLayout, type Layout } from './layout.ts';
import { readLines, MAX_LINE_BYTES } from './lines.ts';
import type { LogLevel } from './logger.ts';
import { stageOf, type ServiceName, type StageFolder } from './pipeline.ts';
import { Parts, type Output } from './parts.ts';
import { quarantine } from './quarantine.ts';
import { runService, type Running, type ServiceParts } from './service.ts';
import { startStageLoop } from './stage.ts';

/** What every stage's start() takes; the rest comes from services/lib/config.ts's defaults. */
export interface StageOptions {
  dataDir: string;
  port?: number;
  host?: string;
  logLevel?: LogLevel;
  /** How long a failed batch waits before its next attempt. */
  retryMs?: number;
}

/** How many lines a batch's input had, read to its end, and what became of each. */
export interface Accounted {
  lines: number;
  outcomes: Record<string, number>;
}

/** One batch in the hands of a stage. */
export interface BatchWork {
  /** Does the work; stops by throwing the signal's reason once it is aborted. */
  run(signal: AbortSignal): Promise<Accounted>;
  /** Makes the outputs durable and visible; runs only once every line has an outcome. */
  commit(): Promise<void>;
  /** Throws away what a run that did not finish wrote. */
  abort(): Promise<void>;
}

export interface StageWork {
  open(batch: string, input: string): Promise<BatchWork>;
  stop?(): Promise<void>;
}

export interface FileStageOptions extends StageOptions {
  name: ServiceName;
  /** Sets up what the stage does with each batch, once the data directory is there. */
  setup(parts: ServiceParts & { layout: Layout }): Promise<StageWork>;
}

export interface RunningStage extends Running {
  /** Resolves when every input seen so far has been handled. */
  idle(): Promise<void>;
}

export async function startFileStage(o: FileStageOptions): Promise<RunningStage> {
  const from = folderOf(o.name, 'input');
  const l = await ensureLayout(o.dataDir);
  let idle!: () => Promise<void>;
  const running = await runService({
    name: o.name,
    port: o.port,
    host: o.host,
    logLevel: o.logLevel,
    async setup({ logger, metrics }) {
      const stale = await removeStaleTemps(l.dir('.tmp'), o.name);
      if (stale > 0) logger.warn({ files: stale }, 'removed temp files of an interrupted run');
      const batches = metrics.counter(`${metric(o.name)}_batches_total`, 'Batches handled', ['outcome']);
      const lines = metrics.counter(`${metric(o.name)}_lines_total`, 'Lines of finished batches, by outcome', ['outcome']);
      const seconds = metrics.histogram(`${metric(o.name)}_batch_seconds`, 'Time to handle one batch', [0.01, 0.1, 0.5, 1, 5, 30, 120]);
      const work = await o.setup({ logger, metrics, layout: l });
      const inDir = l.dir(from.dir);

      const handleBatch = async (batch: string, signal: AbortSignal) => {
        const input = path.join(inDir, `${batch}${from.ext}`);
        const started = Date.now();
        const job = await work.open(batch, input);
        let accounted: Accounted;
        try {
          accounted = await job.run(signal);
          assertAccounted(batch, accounted.lines, accounted.outcomes);
          await job.commit();
          await unlinkDurably(input);
        } catch (err) {
          batches.inc({ outcome: signal.aborted ? 'stopped' : 'error' });
          await job.abort();
          throw err;
        }
        batches.inc({ outcome: 'ok' });
        for (const [outcome, n] of Object.entries(accounted.outcomes)) lines.inc({ outcome }, n);
        seconds.observe((Date.now() - started) / 1000);
        logger.info({ batch, lines: accounted.lines, ...accounted.outcomes, ms: Date.now() - started }, 'batch done');
      };

      const loop = startStageLoop({
        inDir,
        logger,
        retryMs: o.retryMs,
        accepts: (f) => f.endsWith(from.ext) && !f.startsWith('.'),
        handle: async (fileName, signal) => {
          const batch = batchOf(fileName, from.ext);
          if (batch) return handleBatch(batch, signal);
          // A file dropped by hand under any name is renamed to a batch id once it holds still.
          await claimFile(l, from.dir, fileName, from.ext, DEFAULTS.settle, logger, signal);
        },
        quarantine: (fileName, reason) => quarantine(l, o.name, from.dir, fileName, batchOf(fileName, from.ext) ?? fileName, reason),
      });
      idle = () => loop.idle();
      await loop.ready;
      return {
        async stop() {
          await loop.close();
          await work.stop?.();
        },
      };
    },
  });
  return { ...running, idle: () => idle() };
}

/** What became of a converter's input lines; `lines` is how many the input had, read to its end. */
export interface StageCounts {
  lines: number;
  rows: number;
  dead: number;
  skipped: number;
}

/** Converts one input into `out`; stops by throwing the signal's reason once it is aborted. */
export type Convert = (input: string, out: Output, dead: DeadLetters, signal: AbortSignal) => Promise<StageCounts>;

/** What a converter's start() takes. */
export interface ConverterStageOptions extends StageOptions {
  /** How many rows a part of a big batch holds before it is handed on (services/lib/parts.ts). */
  partLines?: number;
}

export interface ConverterOptions extends ConverterStageOptions {
  name: ServiceName;
  convert: Convert;
  /** The first line of every output file (or part). */
  header?: string;
}

/** A file stage that writes each batch's output, in parts when it is big, and its dead letters, atomically. */
export function startConverter(o: ConverterOptions): Promise<RunningStage> {
  const to = folderOf(o.name, 'output');
  return startFileStage({
    ...o,
    async setup({ layout: l, logger }) {
      return {
        async open(batch, input) {
          const out = new Parts({
            batch,
            partLines: o.partLines ?? DEFAULTS.partLines,
            header: o.header,
            tmpPath: l.tmp(o.name, `${batch}${to.ext}`),
            pathOf: (id) => l.output(o.name, id),
            onPart: (part, rows) => logger.info({ batch, part, rows }, 'part handed on'),
          });
          const dead = new DeadLetters(l, o.name, batch);
          return {
            async run(signal) {
              const { lines, ...outcomes } = await o.convert(input, out, dead, signal);
              return { lines, outcomes };
            },
            async commit() {
              await dead.commit();
              await out.commit();
            },
            async abort() {
              await Promise.all([out.abort(), dead.abort()]);
            },
          };
        },
      };
    },
  });
}

/** What a line stage makes of one line: a line to write, or the reason it is skipped or dead-lettered. */
export type LineResult = { out: string } | { skip: string } | { dead: string };

/** A converter that hands its input to `transform` line by line and writes what it returns, one line each. */
export function startLineStage(o: ConverterStageOptions & { name: ServiceName; transform: (line: string) => LineResult }): Promise<RunningStage> {
  return startConverter({ ...o, convert: convertLines(o.transform) });
}

export function convertLines(transform: (line: string) => LineResult): Convert {
  return async (input, out, dead, signal) => {
    const counts = { lines: 0, rows: 0, dead: 0, skipped: 0 };
    for await (const lines of readLines(input, MAX_LINE_BYTES, signal)) {
      counts.lines += lines.length;
      let text = '';
      let rows = 0;
      for (const line of lines) {
        const result: LineResult = line.tooLong ? { dead: `line longer than ${MAX_LINE_BYTES} bytes` } : transform(line.text);
        if ('out' in result) {
          rows += 1;
          text += `${result.out}\n`;
        } else if ('skip' in result) {
          counts.skipped += 1;
        } else {
          counts.dead += 1;
          await dead.add(line.pos, result.dead, line.text);
        }
      }
      counts.rows += rows;
      if (text.length > 0) await out.write(text, rows);
    }
    return counts;
  };
}

function folderOf(name: ServiceName, which: 'input' | 'output'): StageFolder {
  const folder = stageOf(name)[which];
  if (!folder) throw new PipelineError(`${name} has no ${which} folder in services/lib/pipeline.ts`);
  return folder;
}

function metric(name: string): string {
  return name.replace(/-/g, '_');
}
