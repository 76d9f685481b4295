import { afterEach, describe, expect, it } from 'vitest';
import { command, FakeWorld } from './fake-world.ts';

const FOLLOWING = { timeout: 20_000, interval: 200 };
const DEPLOYED = {
  clusters: ['k8s-pipe'],
  contexts: ['kind-k8s-pipe'],
  namespace: true,
  pods: [{ name: 'api-1', app: 'api', phase: 'Running', created: '2026-01-01T00:00:00Z' }],
};

let world: FakeWorld;
afterEach(() => world.remove());

describe('npm run logs', () => {
  it('when a CronJob pod starts after it, then its lines are followed too, each prefixed with its pod name', async () => {
    world = new FakeWorld(DEPLOYED);
    const logs = world.spawn('logs', ['--since', '10m']);
    let output = '';
    logs.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await expect.poll(() => output, FOLLOWING).toMatch(/^api-1 line one from pod\/api-1$/m);
    world.setState({ pods: [...world.state().pods, { name: 'getdata-290001-x', app: 'getdata', phase: 'Succeeded', created: new Date().toISOString() }] });
    await expect.poll(() => output, FOLLOWING).toContain('getdata-290001-x line one from pod/getdata-290001-x');
    logs.kill('SIGINT');
    const result = await logs;
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Stopped following');
    const follows = world
      .calls('kubectl')
      .filter((c) => c.args.includes('logs'))
      .map(command);
    // --since applies to pods that were there before; a new pod is shown from its start.
    expect(follows).toContainEqual(expect.stringMatching(/logs --follow .* pod\/api-1 --since 10m$/));
    expect(follows).toContainEqual(expect.stringMatching(/logs --follow .* pod\/getdata-290001-x$/));
    expect(follows.filter((c) => c.includes('getdata'))).toHaveLength(1);
  });

  it('when given --stage, then it follows only that service', async () => {
    world = new FakeWorld(DEPLOYED);
    const logs = world.spawn('logs', ['--stage', 'api']);
    await expect.poll(() => world.calls('kubectl').some((c) => c.args.includes('logs')), FOLLOWING).toBe(true);
    logs.kill('SIGINT');
    await logs;
    const listings = world
      .calls('kubectl')
      .filter((c) => c.args.includes('pods'))
      .map(command);
    expect(listings[0]).toBe('kubectl get pods --selector app.kubernetes.io/name=api --output json');
  });

  it('when given a stage that does not exist, then it lists the ones that do', async () => {
    world = new FakeWorld(DEPLOYED);
    const run = await world.run('logs', ['--stage', 'nope']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('--stage takes one of getdata, text-to-csv, csv-to-json, json-to-api, api, dashboard');
  });
});
