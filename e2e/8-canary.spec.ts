// Readiness means data flows: with a stage scaled to 0, `npm run canary` fails and names it; once
// the stage is back, the stalled canary arrives and a new one passes. Kind only
// (playwright.config.ts): it scales a Deployment of the cluster.
import { stripVTControlCharacters as plain } from 'node:util';
import { kubectl } from '../scripts/lib/kube.ts';
import { root } from '../scripts/lib/paths.ts';
import { $ } from '../scripts/lib/shell.ts';
import { readyPods } from '../scripts/lib/volume.ts';
import { isCanary } from '../services/lib/batches.ts';
import { DATA_STAGES, SINK, stageOf } from '../services/lib/pipeline.ts';
import { expect, test } from './fixtures.ts';
import { timeouts } from './settings.ts';

// A stage between the first and the sink: csv-to-json in the pipeline as it stands.
const stalled = DATA_STAGES[1]!;
// Short, so that the stage is scaled back within a minute on a cluster others share.
const STALL_SECONDS = 15;

/** `npm run canary` with a time limit; its output without colours, which the runner's FORCE_COLOR turns on. */
async function canary(seconds: number): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const run = await $({ cwd: root, nothrow: true, env: { ...$.env, CANARY_SECONDS: String(seconds) }, timeout: `${seconds + 60}s` })`npm run canary`;
  return { exitCode: run.exitCode, stdout: plain(run.stdout), stderr: plain(run.stderr) };
}

test(`when ${stalled} is scaled to 0, then npm run canary fails naming it; when it is back, then the stalled canary arrives and a new one passes`, async ({ target }) => {
  const scale = (replicas: number) => kubectl(['scale', `deployment/${stalled}`, `--replicas=${replicas}`]);
  const stalledBatch = await test.step(`${stalled} scaled to 0: the canary stops there`, async () => {
    await scale(0);
    try {
      const run = await canary(STALL_SECONDS);
      expect(run.exitCode, run.stdout).toBe(1);
      expect(run.stdout).toMatch(/^✗ canary /m);
      expect(run.stderr).toContain(`stopped at ${stalled}: still in ${stageOf(stalled).input!.dir}/ after ${STALL_SECONDS}s`);
      expect(run.stderr).toContain(`${stalled}: 0/0 replicas ready`);
      expect(run.stderr).toContain(`next: ${stalled} is scaled to 0:`);
      const batch = /the canary (\S+) /.exec(run.stderr)?.[1] ?? '';
      expect(isCanary(batch), `a canary batch id in: ${run.stderr}`).toBe(true);
      return batch;
    } finally {
      await scale(1);
    }
  });

  await test.step(`${stalled} back: the stalled canary arrives, and a new canary passes`, async () => {
    await expect.poll(async () => (await readyPods(`app.kubernetes.io/name=${stalled}`)).length, { message: `a ready ${stalled} pod`, timeout: timeouts.start }).toBeGreaterThan(0);
    await expect
      .poll(async () => (await target.files())[SINK.output!.dir].includes(`${stalledBatch}${SINK.output!.ext}`), {
        message: 'the stalled canary reaches done/',
        timeout: timeouts.delivery,
      })
      .toBe(true);
    const run = await canary(timeouts.delivery / 1000);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^✓ canary .* \S+-canary\.[0-9a-f]{6}: \d+ lines through \d+ stages in [\d.]+s/m);
  });
});
