import { describe, expect, it } from 'vitest';
import { newCanaryId } from '../../services/lib/batches.ts';
import { checkDoc } from '../../services/lib/document.ts';
import { STAGE_DIRS, type DirListing } from '../../services/lib/layout.ts';
import { DATA_STAGES, SINK, stageOf } from '../../services/lib/pipeline.ts';
import { parseLsLine } from '../../services/text-to-csv/src/parse-ls.ts';
import { CANARY_LISTING } from '../lib/canary.ts';
import { shortfall, stalledError, whereIs, type StageState } from '../lib/canary-report.ts';
import { CanaryError } from '../lib/errors.ts';

const batch = newCanaryId();
const lines = CANARY_LISTING.length;
const listing = (files: Partial<DirListing>): DirListing => ({ ...(Object.fromEntries(STAGE_DIRS.map((d) => [d, []])) as unknown as DirListing), ...files });
const inputOf = (stage: string) => stageOf(stage).input!;
const waitingFor = (stage: string) => listing({ [inputOf(stage).dir]: [`${batch}${inputOf(stage).ext}`] });
// The stage the e2e spec stalls; any stage between the first and the sink would do.
const middle = DATA_STAGES[1]!;
const LOGS = ['{"level":30,"msg":"batch done"}', '{"level":50,"msg":"EACCES: permission denied, open \'/data/json\'"}'];

describe('the canary listing', () => {
  it('when each line is parsed as text-to-csv does, then every one is an entry that makes a valid document', () => {
    const docs = CANARY_LISTING.map((line, i) => {
      const parsed = parseLsLine(line);
      if (parsed.kind !== 'entry') return { line, parsed };
      return { line, checked: checkDoc({ ...parsed.entry, line: i + 1 }).ok };
    });
    expect(docs.filter((d) => !('checked' in d) || !d.checked)).toEqual([]);
  });
});

describe('where the canary is', () => {
  it('when its file waits in a stage’s input folder, then that stage holds it', () => {
    for (const stage of DATA_STAGES) expect(whereIs(waitingFor(stage), batch)).toEqual({ at: 'stage', stage, dir: inputOf(stage).dir });
  });

  it('when it is seen in two folders during a hand-over, then the stage further on holds it', () => {
    const [first, second] = DATA_STAGES;
    const both = listing({ [inputOf(first!).dir]: [`${batch}${inputOf(first!).ext}`], [inputOf(second!).dir]: [`${batch}${inputOf(second!).ext}`] });
    expect(whereIs(both, batch)).toMatchObject({ at: 'stage', stage: second });
  });

  it('when its summary is written, then it is done, whatever else is left', () => {
    expect(whereIs({ ...waitingFor(SINK.name), [SINK.output!.dir]: [`${batch}${SINK.output!.ext}`] }, batch)).toEqual({ at: 'done' });
  });

  it('when a stage set it aside, then it is quarantined by that stage', () => {
    expect(whereIs(listing({ dead: [`${batch}.${middle}.quarantined`, `${batch}.${middle}.ndjson`] }), batch)).toEqual({ at: 'quarantined', stage: middle });
  });

  it('when no folder has it, then it is gone', () => {
    expect(whereIs(listing({}), batch)).toEqual({ at: 'gone' });
  });
});

describe('the canary’s failure message', () => {
  const seconds = 7;
  const where = whereIs(waitingFor(middle), batch) as { at: 'stage'; stage: string; dir: string };

  it('when a stage is scaled to 0, then the error names it, the folder the canary waits in, 0/0 replicas and how to scale it back', () => {
    const err = stalledError({ batch, lines, seconds, where, state: { replicas: 0, ready: 0, pods: [], logs: undefined } });
    expect(err).toBeInstanceOf(CanaryError);
    expect(err.message).toContain(`the canary ${batch} (${lines} lines) stopped at ${middle}: still in ${inputOf(middle).dir}/ after ${seconds}s`);
    expect(err.message).toContain(`${middle}: 0/0 replicas ready, no pods`);
    expect(err.message).toContain(`${middle} has no pod to read logs from`);
    expect(err.hint).toBe(`${middle} is scaled to 0: kubectl --context kind-k8s-pipe -n k8s-pipe scale deployment/${middle} --replicas=1`);
  });

  it('when its pod crash-loops, then the error gives the pod’s state and its last log lines, and points at its logs', () => {
    const pod = `${middle}-5f7c9d-x2x7q`;
    const state: StageState = { replicas: 1, ready: 0, pods: [{ name: pod, waiting: 'CrashLoopBackOff', restarts: 4 }], logs: { pod, lines: [...LOGS, ''] } };
    const err = stalledError({ batch, lines, seconds, where, state });
    expect(err.message).toContain(`${middle}: 0/1 replicas ready; ${pod} CrashLoopBackOff, 4 restarts`);
    expect(err.message).toContain(`last ${LOGS.length} log lines of ${pod}:\n${LOGS.map((l) => `    ${l}`).join('\n')}`);
    expect(err.hint).toBe(`npm run logs -- --stage ${middle}, and kubectl --context kind-k8s-pipe -n k8s-pipe describe deployment/${middle}`);
  });

  it('when a stage logged more than a screenful, then only its last lines are kept, each cut to a readable width', () => {
    const many = Array.from({ length: 30 }, (_, i) => `line ${i} ${'x'.repeat(i === 29 ? 1000 : 0)}`);
    const err = stalledError({ batch, lines, seconds, where, state: { replicas: 1, ready: 1, pods: [{ name: 'p', restarts: 0 }], logs: { pod: 'p', lines: many } } });
    expect(err.message).toContain('p running');
    expect(err.message).not.toContain('line 19 ');
    expect(err.message).toContain('line 20 ');
    expect(Math.max(...err.message.split('\n').map((l) => l.length))).toBeLessThan(300);
  });

  it('when the stage’s Deployment cannot be read, then the error still names the stage and says why its state is missing', () => {
    const why = `Error from server (NotFound): deployments.apps "${middle}" not found`;
    const err = stalledError({ batch, lines, seconds, where, state: why });
    expect(err.message).toContain(`stopped at ${middle}`);
    expect(err.message).toContain(`${middle}: its state could not be read: ${why}`);
    expect(err.hint).toContain(`describe deployment/${middle}`);
  });

  it('when a stage quarantined it, then the error names that stage and its dead letters', () => {
    const err = stalledError({ batch, lines, seconds, where: { at: 'quarantined', stage: middle } });
    expect(err.message).toContain(`set aside by ${middle}`);
    expect(err.hint).toContain(`dead/${batch}.${middle}.ndjson`);
  });

  it('when it vanished from the volume, then the error says it never reached the summaries', () => {
    expect(stalledError({ batch, lines, seconds, where: { at: 'gone' } }).message).toContain(`never reached ${SINK.output!.dir}/`);
  });
});

describe('the canary’s summary check', () => {
  const whole = { lines, ok: lines, rejected: 0, invalid: 0, skipped: 0 };

  it('when every line was answered ok, then nothing is short', () => {
    expect(shortfall(batch, lines, whole, lines)).toBeUndefined();
  });

  it('when lines were lost or refused on the way, then the error gives the counts and where to read why', () => {
    const err = shortfall(batch, lines, { ...whole, lines: lines - 1, ok: lines - 2, rejected: 1 }, lines - 2);
    expect(err?.message).toContain(`${lines} lines sent, its summary counts ${lines - 1} (ok ${lines - 2}, rejected 1, invalid 0, skipped 0) and its receipts ${lines - 2} ok`);
    expect(err?.hint).toContain(`dead/${batch}.*.ndjson`);
  });

  it('when the summary is whole but receipts are missing, then it is short', () => {
    expect(shortfall(batch, lines, whole, lines - 1)).toBeInstanceOf(CanaryError);
  });
});
