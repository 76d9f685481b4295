// The pipeline, defined once: every service's name and kind, the folder and extension each data
// stage writes, and their order. A data stage reads what the one before it writes. Local mode,
// the bench, the dashboard, the e2e suite, the images, the scripts and the tests all derive
// from this list; `npm run new-stage` adds a line to it.
import { PipelineError } from './errors.ts';

/**
 * source: makes batches on a schedule (a CronJob). file-stage: turns each batch of its input
 * folder into one of its output folder. sink: takes each batch out of the pipeline. api, dashboard:
 * long-running services that hold no batches.
 */
export type StageKind = 'source' | 'file-stage' | 'sink' | 'api' | 'dashboard';

/** A folder of the data directory and the extension of the batch files in it. */
export interface Folder {
  readonly dir: string;
  readonly ext: string;
}

interface Definition {
  readonly name: string;
  readonly kind: StageKind;
  /** What a source or file stage writes for the next stage; a sink's batch summaries. */
  readonly output?: Folder;
  /** A sink's record of each line's outcome, kept while the batch is delivered. */
  readonly ledger?: Folder;
}

export const PIPELINE = [
  { name: 'getdata', kind: 'source', output: { dir: 'txt', ext: '.txt' } },
  { name: 'text-to-csv', kind: 'file-stage', output: { dir: 'csv', ext: '.csv' } },
  { name: 'csv-to-json', kind: 'file-stage', output: { dir: 'json', ext: '.ndjson' } },
  { name: 'json-to-api', kind: 'sink', output: { dir: 'done', ext: '.json' }, ledger: { dir: 'receipts', ext: '.ndjson' } },
  { name: 'api', kind: 'api' },
  { name: 'dashboard', kind: 'dashboard' },
] as const satisfies readonly Definition[];

type Defined = (typeof PIPELINE)[number];
export type ServiceName = Defined['name'];
/** The stages that read batches: every file stage and the sink. */
export type DataStageName = Extract<Defined, { kind: 'file-stage' | 'sink' }>['name'];
/** Folders every data directory has besides the stages' own: dead letters and files being written. */
const SHARED_DIRS = ['dead', '.tmp'] as const;
export type StageDir = Extract<Defined, { output: Folder }>['output']['dir'] | Extract<Defined, { ledger: Folder }>['ledger']['dir'] | (typeof SHARED_DIRS)[number];

/** A folder of the data directory, as the resolved pipeline names it. */
export interface StageFolder extends Folder {
  readonly dir: StageDir;
}

export interface Stage {
  name: ServiceName;
  kind: StageKind;
  /** The folder a file stage or the sink takes its batches from: what the stage before it writes. */
  input?: StageFolder;
  output?: StageFolder;
  ledger?: StageFolder;
}

/** Each definition with its input resolved, checked: one source first, file stages, one sink, unique names and folders. */
export function resolve(definitions: readonly Definition[]): Stage[] {
  const stages: Stage[] = [];
  let upstream: StageFolder | undefined;
  let sinks = 0;
  for (const d of definitions) {
    const where = `pipeline stage ${d.name}`;
    if (d.kind === 'source' && (stages.length > 0 || !d.output)) throw new PipelineError(`${where}: the source comes first and names its output`);
    if ((d.kind === 'file-stage' || d.kind === 'sink') && !upstream) throw new PipelineError(`${where}: no stage before it writes batches to read`);
    if (d.kind === 'file-stage' && !d.output) throw new PipelineError(`${where}: a file stage names its output folder`);
    if (d.kind === 'sink' && (!d.output || !d.ledger)) throw new PipelineError(`${where}: the sink names its summary and ledger folders`);
    const reads = d.kind === 'file-stage' || d.kind === 'sink';
    const output = d.output as StageFolder | undefined;
    const ledger = d.ledger as StageFolder | undefined;
    stages.push({ name: d.name as ServiceName, kind: d.kind, ...(reads ? { input: upstream } : {}), ...(output ? { output } : {}), ...(ledger ? { ledger } : {}) });
    if (d.kind === 'source' || d.kind === 'file-stage') upstream = output;
    if (d.kind === 'sink') {
      sinks += 1;
      upstream = undefined;
    }
  }
  if (sinks !== 1) throw new PipelineError(`the pipeline has ${sinks} sinks; it needs exactly one`);
  const names: string[] = stages.map((s) => s.name);
  const dirs: string[] = [...stages.flatMap((s) => [s.output?.dir, s.ledger?.dir]).filter((d) => d !== undefined), ...SHARED_DIRS];
  for (const [what, list] of [
    ['service name', names],
    ['folder', dirs],
  ] as const) {
    const twice = list.find((x, i) => list.indexOf(x) !== i);
    if (twice) throw new PipelineError(`the pipeline uses the ${what} ${twice} twice`);
  }
  return stages;
}

export const STAGES: readonly Stage[] = resolve(PIPELINE);

/** Every service, in pipeline order: the name of its folder, image, workload, labels and Service. */
export const SERVICES = STAGES.map((s) => s.name);

/** The stages that read batches, in order: every file stage, then the sink. */
export const DATA_STAGES = STAGES.filter((s) => s.kind === 'file-stage' || s.kind === 'sink').map((s) => s.name as DataStageName);

export function stageOf(name: string): Stage {
  const found = STAGES.find((s) => s.name === name);
  if (!found) throw new PipelineError(`no stage ${JSON.stringify(name)} in the pipeline (services/lib/pipeline.ts); it has ${SERVICES.join(', ')}`);
  return found;
}

/** The stages of one kind, in order. */
export const stagesOf = (kind: StageKind): Stage[] => STAGES.filter((s) => s.kind === kind);

/** Where batches come from: the CronJob. */
export const SOURCE = stagesOf('source')[0]!;
/** Where a batch leaves the pipeline. */
export const SINK = stagesOf('sink')[0]!;
/** What the sink posts to. */
export const API = stagesOf('api')[0]!;
export const DASHBOARD = stagesOf('dashboard')[0]!;

/** Folders a batch waits in between stages, in order: each the output of a source or file stage. */
export const HANDOVER_DIRS = STAGES.filter((s) => s.kind === 'source' || s.kind === 'file-stage').map((s) => s.output!.dir);

/** Every folder of the data directory. */
export const STAGE_DIRS: readonly StageDir[] = [...HANDOVER_DIRS, SINK.ledger!.dir, SINK.output!.dir, ...SHARED_DIRS];
