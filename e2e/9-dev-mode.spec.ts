// `npm run dev` against the kind cluster (kind target only: playwright.config.ts): run from a
// scratch copy of the project, an edit of the api is served by every replica, a save that does
// not type-check is shown with file:line while the last good build keeps answering, the next
// good save recovers, Ctrl-C stops watching and leaves the cluster running, and `npm run deploy`
// puts the pods back on their images.
import { rm, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { execa, type ResultPromise } from 'execa';
import { kubectl, kubectlJson } from '../scripts/lib/kube.ts';
import { root } from '../scripts/lib/paths.ts';
import { scratchCopy } from '../scripts/lib/scratch.ts';
import { API } from '../services/lib/pipeline.ts';
import { expect, test } from './fixtures.ts';
import { timeouts } from './settings.ts';

const ROUTES = 'services/api/src/routes.ts';
const STATS = 'res.json(counters.snapshot());';

/** What each api pod's /stats says of the edit, asked through the API server's pod proxy. */
async function editsServed(): Promise<(string | null)[]> {
  const pods = await kubectlJson<{ items: { metadata: { name: string; deletionTimestamp?: string } }[] }>(['get', 'pods', '--selector', `app.kubernetes.io/name=${API.name}`]);
  const live = pods.items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name);
  return Promise.all(
    live.map(async (pod) => {
      const out = await kubectl(['get', '--raw', `/api/v1/namespaces/k8s-pipe/pods/${pod}:8080/proxy/stats`], { nothrow: true });
      return out.exitCode === 0 ? ((JSON.parse(out.stdout) as { edit?: string }).edit ?? null) : 'unreachable';
    }),
  );
}

test.describe('dev mode', () => {
  let project = '';
  let dev: ResultPromise | undefined;
  let output = '';

  test.afterAll(async () => {
    if (dev?.pid) process.kill(-dev.pid, 'SIGKILL');
    if (project) await rm(project, { recursive: true, force: true });
    // Back to image mode for whatever runs next, as a user would.
    await execa('npx', ['tsx', 'scripts/deploy.ts'], { cwd: root, reject: false });
  });

  test('when the api is edited under npm run dev, then every replica serves the edit; a type error keeps the last good build; Ctrl-C leaves the cluster running', async () => {
    test.setTimeout(timeouts.devStart + 6 * timeouts.reload + timeouts.start);
    project = await scratchCopy();
    const routes = path.join(project, ROUTES);
    const original = await readFile(routes, 'utf8');
    const save = (text: string) => writeFile(routes, text);
    const served = (token: string) => original.replace(STATS, `res.json({ ...counters.snapshot(), edit: '${token}' });`);

    // As a person runs it, in its own process group as a terminal's foreground job: Ctrl-C is
    // SIGINT to the whole group, npm and the script alike.
    dev = execa('npm', ['run', 'dev', '--', '--level', 'warn'], { cwd: project, detached: true, reject: false, all: true, env: { CI: 'true' } });
    // The runner asks for colour; the lines are matched without it.
    dev.all!.on('data', (chunk: Buffer) => (output += stripVTControlCharacters(chunk.toString())));
    await expect.poll(() => output, { timeout: timeouts.devStart, message: 'npm run dev prints watching' }).toMatch(/^watching$/m);

    await save(served('first'));
    await expect.poll(editsServed, { timeout: timeouts.reload, message: 'every api replica serves the edit' }).toEqual(['first', 'first', 'first']);
    await expect.poll(() => output, { timeout: timeouts.reload }).toMatch(/✓ api reloaded in [\d.]+s \(3\/3 pods\)/);

    const before = output.length;
    await save(`${served('broken')}\nexport const notANumber: number = 'text';\n`);
    const line = original.split('\n').length + 1;
    await expect
      .poll(() => output.slice(before), { timeout: timeouts.reload, message: 'the type error is shown with file:line' })
      .toMatch(new RegExp(`build failed[^]*${ROUTES.replaceAll('.', '\\.')}:${line}:\\d+ error TS2322`));
    expect(await editsServed()).toEqual(['first', 'first', 'first']);

    await save(served('second'));
    await expect.poll(editsServed, { timeout: timeouts.reload, message: 'the next good save is served' }).toEqual(['second', 'second', 'second']);

    process.kill(-dev.pid!, 'SIGINT');
    const ended = await dev;
    dev = undefined;
    // The script's one exit path prints this line just before exit(0); npm, hit by the same
    // SIGINT, ends by that signal once its child is done, as it does in a terminal.
    expect(output, output.slice(-2000)).toMatch(/Stopped watching; the cluster keeps running in dev mode/);
    expect(ended.exitCode === 0 || ended.signal === 'SIGINT', `exit ${ended.exitCode}, signal ${ended.signal}`).toBe(true);
    expect(await editsServed()).toEqual(['second', 'second', 'second']);
  });

  test('when npm run deploy runs after dev mode, then the pods run their images again and the dev volume is gone', async () => {
    test.setTimeout(timeouts.start * 2);
    const deploy = await execa('npx', ['tsx', 'scripts/deploy.ts'], { cwd: root, reject: false, all: true });
    expect(deploy.exitCode, deploy.all).toBe(0);
    expect(deploy.all).toMatch(/left dev mode/);
    const api = await kubectlJson<{ spec: { template: { spec: { containers: { command?: string[] }[] } } } }>(['get', 'deployment', API.name]);
    expect(api.spec.template.spec.containers[0]!.command).toBeUndefined();
    await expect
      .poll(async () => (await kubectl(['get', 'persistentvolumeclaim', 'dev-code', '--ignore-not-found', '--output', 'name'])).stdout.trim(), { timeout: timeouts.start })
      .toBe('');
    await expect.poll(editsServed, { timeout: timeouts.start }).toEqual([null, null, null]);
  });
});
