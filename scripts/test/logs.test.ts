import { afterEach, describe, expect, it } from 'vitest';
import { parseSince } from '../lib/follow.ts';
import { FakeWorld, type FakePod, type State } from './fake-world.ts';

const FOLLOWING = { timeout: 20_000, interval: 100 };
const pino = (level: number, msg: string, fields: Record<string, unknown> = {}) => JSON.stringify({ level, time: '2026-11-21T05:34:12.345Z', ...fields, msg });
const API: FakePod = {
  name: 'api-1',
  app: 'api',
  phase: 'Running',
  created: '2026-01-01T00:00:00Z',
  logs: [pino(30, 'listening', { service: 'api', port: 8080 }), 'plain line from api-1'],
};
const POSTER: FakePod = {
  name: 'json-to-api-1',
  app: 'json-to-api',
  phase: 'Running',
  created: '2026-01-01T00:00:00Z',
  logs: [pino(20, 'Post doc to api', { service: 'json-to-api', line: 1 }), pino(40, 'api answered 503, retrying', { service: 'json-to-api', batch: 'b1', line: 2 })],
};
// The user's current context is another cluster's: nothing may go there.
const DEPLOYED: Partial<State> = { clusters: ['k8s-pipe'], contexts: ['prod', 'kind-k8s-pipe'], currentContext: 'prod', namespace: true, pods: [API, POSTER] };

let world: FakeWorld;
afterEach(() => world.remove());

const logRequests = (pod: string) => world.api.requests.filter((r) => r.path.endsWith(`/pods/${pod}/log`));
const addPod = (pod: FakePod) => world.setState({ pods: [...world.state().pods, pod] });
const changePod = (name: string, change: Partial<FakePod>) => world.setState({ pods: world.state().pods.map((p) => (p.name === name ? { ...p, ...change } : p)) });

describe('npm run logs', () => {
  it('when pods of several services log, then each JSON line shows time, level, pod, message and fields, and other lines come as they are', async () => {
    world = new FakeWorld(DEPLOYED);
    const logs = await world.start('logs');
    await expect.poll(() => logs.stdout(), FOLLOWING).toContain('WARN');
    const result = await logs.stop();
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.split('\n').filter(Boolean).sort()).toEqual(
      [
        '[05:34:12.345] INFO: api-1 listening {"port":8080}',
        'api-1 plain line from api-1',
        '[05:34:12.345] DEBUG: json-to-api-1 Post doc to api {"line":1}',
        '[05:34:12.345] WARN: json-to-api-1 api answered 503, retrying {"batch":"b1","line":2}',
      ].sort(),
    );
    expect(result.stderr).toContain('Stopped following');
  });

  it('when a CronJob pod starts after it, then its lines are followed from the first, once, as they come, until it ends', async () => {
    world = new FakeWorld(DEPLOYED);
    const logs = await world.start('logs', ['--since', '10m']);
    await expect.poll(() => logs.stdout(), FOLLOWING).toContain('api-1 listening');
    // Pending: there is no log to ask for yet; the watch says when the container starts.
    addPod({ name: 'getdata-290001-x', app: 'getdata', phase: 'Pending', created: new Date().toISOString(), logs: [pino(30, 'listing /', { service: 'getdata' })] });
    await expect.poll(() => world.api.requests.filter((r) => r.query.watch === 'true').length, FOLLOWING).toBeGreaterThan(0);
    changePod('getdata-290001-x', { phase: 'Running' });
    await expect.poll(() => logs.stdout(), FOLLOWING).toContain('INFO: getdata-290001-x listing /');
    changePod('getdata-290001-x', { logs: [pino(30, 'listing /', { service: 'getdata' }), pino(30, 'published', { service: 'getdata', batch: 'b9' })] });
    await expect.poll(() => logs.stdout(), FOLLOWING).toContain('INFO: getdata-290001-x published {"batch":"b9"}');
    changePod('getdata-290001-x', { phase: 'Succeeded' });
    const result = await logs.stop();
    expect(result.exitCode, result.stderr).toBe(0);
    // --since applies to containers that ran before; a new one is shown from its start.
    expect(logRequests('api-1').map((r) => r.query)).toEqual([{ container: 'api', follow: 'true', sinceSeconds: '600' }]);
    expect(logRequests('getdata-290001-x').map((r) => r.query)).toEqual([{ container: 'getdata', follow: 'true' }]);
    expect(result.stdout.match(/listing \//g)).toHaveLength(1);
  });

  it('when given --stage, then it lists and watches only that service', async () => {
    world = new FakeWorld(DEPLOYED);
    const logs = await world.start('logs', ['--stage', 'api']);
    await expect.poll(() => logs.stdout(), FOLLOWING).toContain('api-1 listening');
    await logs.stop();
    const pods = world.api.requests.filter((r) => r.path === '/api/v1/namespaces/k8s-pipe/pods');
    expect(pods.length).toBeGreaterThanOrEqual(2);
    for (const r of pods) expect(r.query.labelSelector).toBe('app.kubernetes.io/name=api');
    expect(logRequests('json-to-api-1')).toEqual([]);
  });

  it('when given --level warn, then JSON lines below warn are left out and other lines are kept', async () => {
    world = new FakeWorld(DEPLOYED);
    const logs = await world.start('logs', ['--level', 'warn']);
    await expect.poll(() => logs.stdout(), FOLLOWING).toContain('WARN: json-to-api-1');
    await expect.poll(() => logs.stdout(), FOLLOWING).toContain('plain line from api-1');
    const { stdout } = await logs.stop();
    expect(stdout).not.toMatch(/INFO|DEBUG/);
  });

  it('when given --json, then the lines come exactly as the pods wrote them', async () => {
    world = new FakeWorld(DEPLOYED);
    const logs = await world.start('logs', ['--json']);
    await expect.poll(() => logs.stdout().split('\n').filter(Boolean).length, FOLLOWING).toBe(4);
    const { stdout } = await logs.stop();
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual([...API.logs!, ...POSTER.logs!].sort());
  });

  it('when FORCE_COLOR is set, then even a pipe gets colours', async () => {
    world = new FakeWorld(DEPLOYED);
    const logs = await world.start('logs', [], { FORCE_COLOR: '1' });
    await expect.poll(() => logs.stdout(), FOLLOWING).toContain('\x1b[33mWARN\x1b[39m');
    await logs.stop();
  });

  it('when the API server ends its watch and forgets the version it was at, then following goes on from a new list', async () => {
    world = new FakeWorld(DEPLOYED);
    const logs = await world.start('logs');
    await expect.poll(() => logs.stdout(), FOLLOWING).toContain('api-1 listening');
    world.api.compact();
    world.api.endWatches();
    const lists = () => world.api.requests.filter((r) => r.path.endsWith('/pods') && r.query.watch === undefined).length;
    await expect.poll(lists, FOLLOWING).toBe(2);
    addPod({ name: 'getdata-290002-y', app: 'getdata', phase: 'Running', created: new Date().toISOString() });
    await expect.poll(() => logs.stdout(), FOLLOWING).toContain('INFO: getdata-290002-y started getdata-290002-y');
    const result = await logs.stop();
    expect(result.exitCode, result.stderr).toBe(0);
    // The streams already open were not opened again.
    expect(logRequests('api-1')).toHaveLength(1);
  });

  it('when the API server goes away, then it says so and how to look, after trying again for a few seconds', async () => {
    world = new FakeWorld(DEPLOYED);
    const logs = await world.start('logs');
    await expect.poll(() => logs.stdout(), FOLLOWING).toContain('api-1 listening');
    world.api.close();
    const result = await logs.child;
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('api-1: lost its log stream (the connection broke)');
    expect(result.stderr).toContain('✗ lost the API server of kind-k8s-pipe');
    expect(result.stderr).toContain('next: npm run status shows what runs; a paused cluster comes back with npm run resume');
  }, 30_000);

  it('when what reads its output goes away, then it stops quietly', async () => {
    world = new FakeWorld(DEPLOYED);
    const logs = await world.start('logs');
    await expect.poll(() => logs.stdout(), FOLLOWING).toContain('api-1 listening');
    logs.child.stdout?.destroy();
    changePod('api-1', { logs: [...API.logs!, 'one more line'] });
    const result = await logs.child;
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('Stopped following');
  });

  it('when the kubeconfig has no kind-k8s-pipe context, then it says how to get it back and asks no API server anything', async () => {
    world = new FakeWorld({ ...DEPLOYED, contexts: ['prod'] });
    const run = await world.run('logs');
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('the kubeconfig has no context kind-k8s-pipe');
    expect(run.stderr).toContain('kind export kubeconfig --name k8s-pipe');
    expect(world.api.requests).toEqual([]);
  });

  it('when following, then every request goes through kind-k8s-pipe, whatever the current context', async () => {
    world = new FakeWorld(DEPLOYED);
    const logs = await world.start('logs');
    await expect.poll(() => logs.stdout(), FOLLOWING).toContain('api-1 listening');
    await logs.stop();
    expect(world.state().currentContext).toBe('prod');
    expect(world.api.requests.length).toBeGreaterThan(3);
    expect(world.api.requests.filter((r) => r.context !== 'kind-k8s-pipe')).toEqual([]);
  });

  it.each([
    [['--stage', 'nope'], 'unknown stage "nope"', '--stage takes one of getdata, text-to-csv, csv-to-json, json-to-api, api, dashboard'],
    [['--level', 'loud'], 'unknown level "loud"', '--level takes one of trace (10), debug (20), info (30), warn (40), error (50), fatal (60)'],
    [['--since', '10 minutes'], '--since takes a duration such as 30s, 10m or 1h30m, got "10 minutes"', 'known flags: --stage <service>'],
  ])('when given %j, then it says what it takes', async (args, message, hint) => {
    world = new FakeWorld(DEPLOYED);
    const run = await world.run('logs', args);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain(hint);
  });
});

describe('parseSince', () => {
  it("when given kubectl's duration forms, then it answers seconds", () => {
    expect(['30s', '10m', '1h', '1h30m', '2m5s'].map(parseSince)).toEqual([30, 600, 3600, 5400, 125]);
  });

  it('when given anything else, then it answers undefined', () => {
    for (const value of ['', '10', '0s', '1d', '10 m', '-5m']) expect(parseSince(value)).toBeUndefined();
  });
});
