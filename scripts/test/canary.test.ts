import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isCanary } from '../../services/lib/batches.ts';
import { API, DATA_STAGES, SINK, stageOf } from '../../services/lib/pipeline.ts';
import { CANARY_LISTING } from '../lib/canary.ts';
import { FakeWorld } from './fake-world.ts';

let world: FakeWorld;
afterEach(() => world.remove());

// A stage between the first and the sink; the message must name whichever stage it is.
const stalled = DATA_STAGES[1]!;
const CRASH_LOGS = ['{"level":30,"msg":"started"}', '{"level":60,"msg":"EACCES: permission denied, mkdir \'/data/.tmp\'"}'];

describe('npm run canary', () => {
  it('when every stage works, then it follows a canary batch through each stage to a summary of all its lines', async () => {
    world = new FakeWorld();
    await world.deploy();
    const run = await world.run('canary');
    expect(run.exitCode, run.stderr).toBe(0);
    const steps = run.stdout.split('\n').filter((l) => l.startsWith('  canary: ') && !l.includes('dropping'));
    expect(steps).toEqual(DATA_STAGES.map((s) => `  canary: ${s}`));
    expect(run.stdout).toMatch(
      new RegExp(
        `^✓ canary .* \\S+-canary\\.[0-9a-f]{6}: ${CANARY_LISTING.length} lines through ${DATA_STAGES.length} stages in [\\d.]+s, answered by ${world.state().deployments[API.name]} api replicas$`,
        'm',
      ),
    );
    const done = readdirSync(path.join(world.dir, 'data', SINK.output!.dir));
    expect(done.map((f) => isCanary(path.basename(f, SINK.output!.ext)))).toEqual([true]);
    expect(run.stdout).toMatch(/Next: the dashboard/);
  });

  it('when a stage crash-loops, then within CANARY_SECONDS it fails naming that stage, the folder it waits in, its pod state and last log lines', async () => {
    world = new FakeWorld();
    await world.deploy();
    const pods = world.state().pods.map((p) => (p.app === stalled && p.phase === 'Running' ? { ...p, waiting: 'CrashLoopBackOff', restarts: 4, logs: CRASH_LOGS } : p));
    world.setState({ pods });
    const pod = pods.find((p) => p.app === stalled && p.waiting)!.name;
    const run = await world.run('canary', [], { CANARY_SECONDS: '3' });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/^✗ canary /m);
    expect(run.stderr).toMatch(new RegExp(`stopped at ${stalled}: still in ${stageOf(stalled).input!.dir}/ after 3s`));
    expect(run.stderr).toContain(`${stalled}: 0/1 replicas ready; ${pod} CrashLoopBackOff, 4 restarts`);
    expect(run.stderr).toContain(`last ${CRASH_LOGS.length} log lines of ${pod}:\n${CRASH_LOGS.map((l) => `    ${l}`).join('\n')}`);
    expect(run.stderr).toContain(`next: npm run logs -- --stage ${stalled}`);
    expect(world.calls('kubectl').some((c) => c.args.includes('logs') && c.args.includes('--previous'))).toBe(true);
  });
});
