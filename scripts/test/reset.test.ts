import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DASHBOARD, DATA_STAGES } from '../../services/lib/pipeline.ts';
import { command, FakeWorld } from './fake-world.ts';

// Every Deployment that mounts the volume: the data stages and the dashboard (services/lib/pipeline.ts).
const WRITERS = [...DATA_STAGES, DASHBOARD.name];

let world: FakeWorld;
beforeEach(async () => {
  world = new FakeWorld();
  await world.deploy();
  // A getdata run in flight, writing to the volume.
  const state = world.state();
  world.setState({ pods: [...state.pods, { name: 'getdata-29000001-abcde', app: 'getdata', phase: 'Running', created: new Date().toISOString() }] });
});
afterEach(() => world.remove());

const commands = () => world.calls('kubectl').map(command);

describe('npm run reset', () => {
  it('when confirmed with --yes, then it stops every writer, recreates the claim empty and starts the pipeline again, in that order', async () => {
    const run = await world.run('reset', ['--yes']);
    expect(run.exitCode, run.stderr).toBe(0);
    const cmds = commands();
    const at = (pattern: RegExp) => cmds.findIndex((c) => pattern.test(c));
    const order = [
      at(/^kubectl patch cronjob getdata --type merge --patch {"spec":{"suspend":true}}$/),
      at(/^kubectl delete jobs --selector app.kubernetes.io\/name=getdata/),
      at(/^kubectl scale deployment( [a-z-]+)+ --replicas 0$/),
      at(/^kubectl wait --for=delete pod\/text-to-csv-\d+ .*pod\/getdata-29000001-abcde/),
      at(/^kubectl delete persistentvolumeclaim storage --ignore-not-found --wait --timeout=180s$/),
      at(/^kubectl apply --filename -$/),
      at(/^kubectl scale deployment text-to-csv --replicas 1$/),
      at(/^kubectl patch cronjob getdata --type merge --patch {"spec":{"suspend":false}}$/),
      at(/^kubectl rollout status deployment\/dashboard/),
    ];
    expect(
      order.every((i) => i >= 0),
      cmds.join('\n'),
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    // Every pod on the claim stops; the api, which does not mount it, keeps running.
    const stopped = cmds
      .find((c) => c.endsWith('--replicas 0'))!
      .split(' ')
      .slice(3, -2);
    expect(stopped.sort()).toEqual([...WRITERS].sort());
    expect(world.state().pods.filter((p) => p.app === 'api' && p.phase === 'Running')).toHaveLength(3);
    const claim = JSON.parse(world.calls('kubectl').find((c) => c.args.includes('--filename'))!.stdin!);
    expect(claim).toMatchObject({ kind: 'PersistentVolumeClaim', metadata: { name: 'storage', namespace: 'k8s-pipe' }, spec: { storageClassName: 'local-path' } });
    const state = world.state();
    expect(state.pvc).toBe(true);
    expect(state.cronjobs.getdata?.suspend).toBe(false);
    expect(state.deployments).toEqual({ ...Object.fromEntries(WRITERS.map((w) => [w, 1])), api: 3 });
    expect(run.stdout).toMatch(/✓ stop .*\n✓ wipe .*\n✓ start /);
  });

  it('when CI is set, then it does not ask', async () => {
    const run = await world.run('reset', [], { CI: 'true' });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('[y/N]');
  });

  it('when the question is answered y, then it resets', async () => {
    const run = await world.run('reset', [], {}, 'y\n');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('Delete every batch on the storage volume of kind-k8s-pipe? [y/N]');
    expect(run.stdout).toMatch(/✓ stop .*\n✓ wipe .*\n✓ start /);
  });

  it('when nobody answers yes, then it changes nothing', async () => {
    const run = await world.run('reset');
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('reset cancelled; nothing was changed');
    expect(commands().filter((c) => /^kubectl (patch|scale|delete|apply)/.test(c))).toEqual([]);
  });

  it('when the pipeline was never deployed, then it says to deploy first', async () => {
    world.setState({ namespace: false });
    const run = await world.run('reset', ['--yes']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('namespace k8s-pipe is not there');
    expect(run.stderr).toContain('next: npm run deploy');
  });
});
