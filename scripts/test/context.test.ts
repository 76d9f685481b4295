import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeWorld } from './fake-world.ts';

const FOLLOWING = { timeout: 20_000, interval: 200 };

// Every script, run one after the other against a kubeconfig whose current context is "prod".
let world: FakeWorld;
beforeAll(async () => {
  world = new FakeWorld();
  const run = async (script: string, args: string[] = []) => {
    const result = await world.run(script, args);
    expect(result.exitCode, `${script}: ${result.stderr}`).toBe(0);
  };
  await run('deploy');
  await run('status');
  await run('canary');
  const logs = await world.start('logs');
  await vi.waitFor(() => expect(world.api.requests.some((r) => r.path.endsWith('/log'))).toBe(true), FOLLOWING);
  expect((await logs.stop('SIGINT')).exitCode).toBe(0);
  await run('reset', ['--yes']);
  await run('pause');
  await run('resume');
  await run('teardown');
}, 120_000);
afterAll(() => world.remove());

describe('context pinning', () => {
  it('when any script calls kubectl, then the call pins --context kind-k8s-pipe and names no other', () => {
    const calls = world.calls('kubectl');
    expect(calls.length).toBeGreaterThan(30);
    for (const call of calls) {
      expect(call.args.slice(0, 2), call.args.join(' ')).toEqual(['--context', 'kind-k8s-pipe']);
      expect(
        call.args.filter((a) => a.startsWith('--context')),
        call.args.join(' '),
      ).toHaveLength(1);
    }
  });

  it('when a script talks to the API server itself (logs), then it goes through kind-k8s-pipe and never the current context', () => {
    expect(world.api.requests.length).toBeGreaterThan(0);
    expect(world.api.requests.filter((r) => r.context !== 'kind-k8s-pipe')).toEqual([]);
  });

  it('when any script calls kind, then it names the k8s-pipe cluster', () => {
    const clusterCalls = world.calls('kind').filter((c) => !['version', 'get clusters'].includes(c.args.join(' ')));
    expect(clusterCalls.length).toBeGreaterThan(0);
    for (const call of clusterCalls) expect(call.args.join(' ')).toMatch(/--name k8s-pipe\b/);
  });

  it('when kind made its context current, then the user’s own current context is put back', () => {
    expect(world.state().currentContext).toBe('prod');
    expect(world.calls('kubectl').map((c) => c.args.slice(4).join(' '))).toContain('config use-context prod');
  });
});
