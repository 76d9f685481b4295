import { afterEach, describe, expect, it } from 'vitest';
import { command, FakeWorld } from './fake-world.ts';

let world: FakeWorld;
afterEach(() => world.remove());

describe('npm run status', () => {
  it('when the pipeline runs, then it shows workloads, pods, claim, getdata runs, the volume and /stats, changing nothing', async () => {
    world = new FakeWorld();
    await world.deploy();
    const run = await world.run('status');
    expect(run.exitCode, run.stderr).toBe(0);
    for (const section of ['Workloads', 'Pods', 'Claim', 'Last getdata runs', 'Data volume', 'api /stats']) expect(run.stdout).toContain(`\n${section}\n`);
    expect(run.stdout).toMatch(/api +3\/3 ready/);
    expect(run.stdout).toMatch(/receipts +1 files +4.0 KiB/);
    expect(run.stdout).toContain('{"pod":"api-1"');
    expect(
      world
        .calls('kubectl')
        .map(command)
        .filter((c) => /^kubectl (apply|patch|scale|delete|create)/.test(c)),
    ).toEqual([]);
  });
});

describe('npm run teardown', () => {
  it('when the cluster exists, then kind deletes it; run again, there is nothing to delete', async () => {
    world = new FakeWorld({ clusters: ['k8s-pipe'], contexts: ['kind-k8s-pipe'] });
    const first = await world.run('teardown');
    expect(first.exitCode, first.stderr).toBe(0);
    expect(world.calls('kind').map(command)).toContain('kind delete cluster --name k8s-pipe');
    const second = await world.run('teardown');
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain('no cluster k8s-pipe: nothing to delete');
  });

  it('when the Docker engine is down, then it says so instead of deleting', async () => {
    world = new FakeWorld({ docker: 'down', clusters: ['k8s-pipe'] });
    const run = await world.run('teardown');
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('the Docker engine does not answer');
    expect(world.calls('kind')).toEqual([]);
  });
});

describe('npm run pause and npm run resume', () => {
  it('when paused and resumed, then the node containers stop and start and the pipeline pods are waited for', async () => {
    world = new FakeWorld();
    await world.deploy();
    const pause = await world.run('pause');
    expect(pause.exitCode, pause.stderr).toBe(0);
    expect(world.calls('docker').map(command)).toContain('docker stop k8s-pipe-control-plane');
    expect(pause.stdout).toContain('Next: npm run resume');
    const resume = await world.run('resume');
    expect(resume.exitCode, resume.stderr).toBe(0);
    const cmds = world.calls().map(command);
    expect(cmds.indexOf('docker start k8s-pipe-control-plane')).toBeLessThan(cmds.findIndex((c) => c.startsWith('kubectl get pods')));
    expect(resume.stdout).toMatch(/✓ pods .* every pipeline pod restarted and ready/);
  });

  it('when a pod still shows its state from before the pause, then resume waits for it and names it', async () => {
    world = new FakeWorld({
      clusters: ['k8s-pipe'],
      contexts: ['kind-k8s-pipe'],
      pods: [{ name: 'api-1', app: 'api', phase: 'Running', created: '2026-01-01T00:00:00Z', started: '2026-01-01T00:00:00Z' }],
    });
    const run = await world.run('resume', [], { WAIT_SECONDS: '3' });
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('pipeline pods not running again within 3s: waiting for api-1');
  });

  it('when there is no cluster, then pause says to deploy first', async () => {
    world = new FakeWorld();
    const run = await world.run('pause');
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('no cluster k8s-pipe');
    expect(run.stderr).toContain('next: npm run deploy creates it');
  });
});
