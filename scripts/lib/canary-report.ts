// What the canary found, in words: where its batch is, the state of the stage that holds it, and
// what a summary that does not account for every line is short of. Pure, so that each message
// can be tested without a cluster; canary.ts gathers the facts.
import { SINK, DATA_STAGES, stageOf } from '../../services/lib/pipeline.ts';
import type { DirListing } from '../../services/lib/layout.ts';
import { kind } from './config.ts';
import { CanaryError } from './errors.ts';

/** Where a batch is: waiting for a stage, set aside by one, done, or nowhere on the volume. */
export type Whereabouts = { at: 'stage'; stage: string; dir: string } | { at: 'quarantined'; stage: string } | { at: 'done' } | { at: 'gone' };

/**
 * A stage writes its output before it deletes its input, so a batch may be seen in two folders
 * for a moment: the one further on is where it is.
 */
export function whereIs(listing: DirListing, batch: string): Whereabouts {
  if (listing[SINK.output!.dir].includes(`${batch}${SINK.output!.ext}`)) return { at: 'done' };
  const quarantined = DATA_STAGES.find((s) => listing.dead.includes(`${batch}.${s}.quarantined`));
  if (quarantined) return { at: 'quarantined', stage: quarantined };
  for (const name of [...DATA_STAGES].reverse()) {
    const input = stageOf(name).input!;
    if (listing[input.dir].includes(`${batch}${input.ext}`)) return { at: 'stage', stage: name, dir: input.dir };
  }
  return { at: 'gone' };
}

/** A stage's Deployment and pods as the canary saw them when it gave up. */
export interface StageState {
  replicas: number;
  ready: number;
  /** Each pod's name, why its container waits (CrashLoopBackOff) and how often it restarted. */
  pods: Array<{ name: string; waiting?: string; restarts: number }>;
  /** The last lines the stage logged, and the pod they came from. */
  logs: { pod: string; lines: string[] } | undefined;
}

const LOG_LINES = 10;
const LOG_WIDTH = 240;

function stateLines(stage: string, s: StageState): string[] {
  const pods = s.pods.map((p) => `${p.name} ${[p.waiting, p.restarts > 0 ? `${p.restarts} restarts` : undefined].filter(Boolean).join(', ') || 'running'}`);
  const lines = [`${stage}: ${s.ready}/${s.replicas} replicas ready${pods.length > 0 ? `; ${pods.join('; ')}` : ', no pods'}`];
  if (!s.logs) return [...lines, `${stage} has no pod to read logs from`];
  const last = s.logs.lines.filter((l) => l.trim() !== '').slice(-LOG_LINES);
  if (last.length === 0) return [...lines, `${s.logs.pod} logged nothing`];
  return [...lines, `last ${last.length} log lines of ${s.logs.pod}:`, ...last.map((l) => `  ${l.length > LOG_WIDTH ? `${l.slice(0, LOG_WIDTH)}…` : l}`)];
}

const kubectlHere = `kubectl --context ${kind.context} -n ${kind.namespace}`;

/**
 * The canary did not reach done/ within `seconds`: which stage holds it, that stage's state and its
 * last log lines, or (a string) why they could not be read.
 */
export function stalledError(o: { batch: string; lines: number; seconds: number; where: Exclude<Whereabouts, { at: 'done' }>; state?: StageState | string }): CanaryError {
  const what = `the canary ${o.batch} (${o.lines} lines)`;
  const { where } = o;
  if (where.at === 'gone')
    return new CanaryError(`${what} is on the volume no more and never reached ${SINK.output!.dir}/`, 'was the volume reset meanwhile? run npm run canary again');
  if (where.at === 'quarantined')
    return new CanaryError(`${what} was set aside by ${where.stage}`, `read why in dead/${o.batch}.${where.stage}.ndjson (npm run logs -- --stage ${where.stage})`);
  const details = typeof o.state === 'string' ? [`${where.stage}: its state could not be read: ${o.state}`] : o.state ? stateLines(where.stage, o.state) : [];
  const hint =
    typeof o.state === 'object' && o.state.replicas === 0
      ? `${where.stage} is scaled to 0: ${kubectlHere} scale deployment/${where.stage} --replicas=1`
      : `npm run logs -- --stage ${where.stage}, and ${kubectlHere} describe deployment/${where.stage}`;
  return new CanaryError([`${what} stopped at ${where.stage}: still in ${where.dir}/ after ${o.seconds}s`, ...details.map((l) => `  ${l}`)].join('\n'), hint);
}

/** The parts of a done/ summary the canary checks. */
export interface Summary {
  lines: number;
  ok: number;
  rejected: number;
  invalid: number;
  skipped: number;
}

/** What a summary is short of, when its batch had `expected` lines each meant to be answered ok; undefined when it accounts for all. */
export function shortfall(batch: string, expected: number, summary: Summary, okReceipts: number): CanaryError | undefined {
  const outcomes = summary.ok + summary.rejected + summary.invalid + summary.skipped;
  if (summary.lines === expected && summary.ok === expected && outcomes === expected && okReceipts === expected) return undefined;
  return new CanaryError(
    `the canary ${batch} arrived short: ${expected} lines sent, its summary counts ${summary.lines} ` +
      `(ok ${summary.ok}, rejected ${summary.rejected}, invalid ${summary.invalid}, skipped ${summary.skipped}) and its receipts ${okReceipts} ok`,
    `read its dead letters, dead/${batch}.*.ndjson, and ${SINK.ledger!.dir}/${batch}${SINK.ledger!.ext}`,
  );
}
