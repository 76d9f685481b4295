// npm run new-stage in a scratch clone of this repository (its committed HEAD, node_modules
// linked): requests it must refuse leave the tree as it was; a stage it makes, with no further
// edits, changes only the expected files, renders into manifests that pass the policy, and
// carries a listing through `npm start` to the api.
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SERVICES } from '../../services/lib/pipeline.ts';
import { lsListing, makeAwkwardTree } from '../local/fixtures.ts';
import { doneBatches, dropListing, receiptsOf, waitingFiles } from '../local/inspect.ts';
import { root } from '../lib/paths.ts';
import { containerProblems, podTemplate } from './policy.ts';
import { render } from './render.ts';
import { schemaProblem } from './schemas.ts';

const NAME = 'enrich';
const AFTER = 'csv-to-json';
const TSX = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const SETUP_TIMEOUT = 120_000;
const SCRIPT_TIMEOUT = 60_000;
const CHECK_TIMEOUT = 180_000;
const START_TIMEOUT = 90_000;
const DELIVERY_TIMEOUT = 60_000;
const STOP_TIMEOUT = 30_000;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'new-stage-'));
const clone = path.join(tmp, 'repo');

const inClone = (command: string, args: string[], timeout = SCRIPT_TIMEOUT) => execa(command, args, { cwd: clone, reject: false, timeout, env: { FORCE_COLOR: '0' } });
const newStage = (...args: string[]) => inClone(process.execPath, [TSX, 'scripts/new-stage.ts', ...args]);
const changed = async () => (await inClone('git', ['status', '--porcelain', '--untracked-files=all'])).stdout.split('\n').filter(Boolean).sort();

beforeAll(async () => {
  await execa('git', ['clone', '--quiet', root, clone]);
  symlinkSync(path.join(root, 'node_modules'), path.join(clone, 'node_modules'));
  // .gitignore's node_modules/ matches a folder, not the link to one.
  appendFileSync(path.join(clone, '.git', 'info', 'exclude'), 'node_modules\n');
}, SETUP_TIMEOUT);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('npm run new-stage, refusing', () => {
  test.each([
    ['a name with capitals', ['Enrich', '--after', AFTER], '"Enrich" cannot name a stage'],
    ['a name too long for Kubernetes', ['a'.repeat(41), '--after', AFTER], 'cannot name a stage'],
    ['the name of a service', ['text-to-csv', '--after', AFTER], 'there is already a service named text-to-csv'],
    ['the name of a data folder', ['receipts', '--after', AFTER], 'receipts is already taken'],
    ['an unknown stage to follow', [NAME, '--after', 'csv-to-xml'], 'no stage "csv-to-xml" in the pipeline'],
    ['the sink to follow', [NAME, '--after', 'json-to-api'], "json-to-api is the pipeline's sink: it writes no batches for a stage after it"],
    ['no stage to follow', [NAME], '--after is missing'],
  ])('when given %s, then it says why, exits 1 and leaves the tree unchanged', async (_what, args, message) => {
    const run = await newStage(...args);
    expect(run.exitCode, run.stdout).toBe(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toMatch(/next: /);
    expect(await changed()).toEqual([]);
  });
});

describe(`npm run new-stage -- ${NAME} --after ${AFTER}`, () => {
  beforeAll(async () => {
    const run = await newStage(NAME, '--after', AFTER);
    if (run.exitCode !== 0) throw new Error(`new-stage failed:\n${run.stdout}\n${run.stderr}`);
  }, SCRIPT_TIMEOUT);

  test("when it has run, then two existing files changed and only the new stage's own files were added", async () => {
    expect(await changed()).toEqual([
      ' M manifests/kustomization.yaml',
      ' M services/lib/pipeline.ts',
      `?? manifests/${NAME}.yaml`,
      `?? services/${NAME}/src/main.ts`,
      `?? services/${NAME}/src/service.ts`,
      `?? services/${NAME}/src/transform.ts`,
      `?? services/${NAME}/test/transform.test.ts`,
    ]);
  });

  test(
    'when the tree is checked, then it type-checks, keeps its format and the new unit test passes',
    async () => {
      const tsc = await inClone(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit'], CHECK_TIMEOUT);
      expect(tsc.exitCode, tsc.stdout).toBe(0);
      const format = await inClone(process.execPath, [
        path.join(root, 'node_modules', 'prettier', 'bin', 'prettier.cjs'),
        '--check',
        'services/lib/pipeline.ts',
        `services/${NAME}`,
      ]);
      expect(format.exitCode, format.stdout).toBe(0);
      const unit = await inClone(process.execPath, [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', `services/${NAME}`], CHECK_TIMEOUT);
      expect(unit.exitCode, unit.stdout).toBe(0);
    },
    CHECK_TIMEOUT * 2,
  );

  test('when its manifests are rendered, then the new stage is a locked-down stage Deployment on the volume, and every object passes the schemas and the policy', () => {
    const objects = render(path.join(clone, 'manifests'));
    expect(objects.map((o) => [`${o.kind}/${o.metadata.name}`, schemaProblem(o)]).filter(([, p]) => p)).toEqual([]);
    expect(objects.flatMap(containerProblems)).toEqual([]);
    const stage = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === NAME);
    expect(stage?.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': NAME, 'app.kubernetes.io/component': 'stage', 'app.kubernetes.io/part-of': 'k8s-pipe' });
    expect(stage?.spec).toMatchObject({ replicas: 1, strategy: { type: 'Recreate' } });
    const pod = podTemplate(stage!)!.spec as { terminationGracePeriodSeconds?: number; volumes?: unknown; containers: Array<{ image?: string; volumeMounts?: unknown }> };
    expect(pod.terminationGracePeriodSeconds).toBe(5);
    expect(pod.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'storage' } }]);
    expect(pod.containers[0]).toMatchObject({ image: `k8s-pipe/${NAME}:built-by-deploy`, volumeMounts: [{ name: 'data', mountPath: '/data' }] });
  });

  test("when deploy's overlay sets each image's content tag, then the new stage's image gets one too", () => {
    const overlay = path.join(tmp, 'overlay');
    mkdirSync(overlay);
    const images = [...SERVICES, NAME].map((s) => `  - name: k8s-pipe/${s}\n    newTag: 0123456789ab\n`).join('');
    writeFileSync(path.join(overlay, 'kustomization.yaml'), `resources:\n  - ${path.relative(overlay, path.join(clone, 'manifests'))}\nimages:\n${images}`);
    const used = render(overlay).flatMap((o) => podTemplate(o)?.spec.containers.map((c) => c.image) ?? []);
    expect(used).toContain(`k8s-pipe/${NAME}:0123456789ab`);
    expect(used.every((image) => image?.endsWith(':0123456789ab'))).toBe(true);
  });

  describe('npm start in the clone', () => {
    const dataDir = path.join(tmp, 'data');
    let start: ResultPromise | undefined;
    let output = '';

    afterAll(async () => {
      if (start?.exitCode === undefined || start.exitCode === null) start?.kill('SIGKILL');
      await start;
    });

    test(
      `when it is up and a listing is dropped, then the listing goes through ${NAME} to the api, every line answered once`,
      async () => {
        start = execa(process.execPath, [TSX, 'scripts/start.ts', '--data-dir', dataDir, '--schedule', 'off', '--port', '0'], {
          cwd: clone,
          reject: false,
          all: true,
          env: { FORCE_COLOR: '0' },
        });
        start.all!.on('data', (chunk: Buffer) => (output += chunk.toString()));
        await expect.poll(() => output, { timeout: START_TIMEOUT, message: 'npm start says it is up' }).toContain('Ctrl-C stops everything');
        expect(output).toContain(`${AFTER} → ${NAME} → json-to-api`);
        const tree = makeAwkwardTree(path.join(tmp, 'tree'), 300);
        const expected = tree.names.length + 2;
        dropListing(dataDir, 'listing.txt', lsListing(tree.root));

        await expect.poll(() => doneBatches(dataDir).length, { timeout: DELIVERY_TIMEOUT, message: 'batch delivered' }).toBe(1);
        const [summary] = doneBatches(dataDir);
        expect(summary).toMatchObject({ lines: expected, ok: expected, rejected: 0, invalid: 0 });
        const receipts = receiptsOf(dataDir, summary!.batch);
        expect(receipts.filter((r) => r.outcome === 'ok')).toHaveLength(expected);
        expect(new Set(receipts.map((r) => r.pos)).size).toBe(expected);
        const handled = readFileSync(path.join(dataDir, 'logs', `${NAME}.log`), 'utf8')
          .split('\n')
          .filter((line) => line.includes('"batch done"'))
          .map((line) => JSON.parse(line) as { batch: string; lines: number; rows: number });
        expect(handled).toEqual([expect.objectContaining({ batch: summary!.batch, lines: expected, rows: expected })]);
        expect(waitingFiles(dataDir)).toEqual({ txt: [], csv: [], json: [] });
        expect(readdirSync(path.join(dataDir, NAME))).toEqual([]);
      },
      START_TIMEOUT + DELIVERY_TIMEOUT,
    );

    test(
      'when it gets Ctrl-C, then every process stops and it exits 0',
      async () => {
        start!.kill('SIGINT');
        const result = await Promise.race([start!, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('npm start did not stop')), STOP_TIMEOUT))]);
        expect(result.exitCode, output).toBe(0);
        expect(output).toContain('stopped. Start again with: npm start');
      },
      STOP_TIMEOUT + 5_000,
    );
  });
});
