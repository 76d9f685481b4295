// What dev mode reloads for which change, with the real esbuild and TypeScript over a scratch copy
// of the project: the bundles that come out different are the services reloaded.
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICES } from '../../services/lib/pipeline.ts';
import { createBuilder, type Builder } from '../lib/dev/builder.ts';
import { SUPERVISOR } from '../lib/paths.ts';
import { changedBuilds, planFor } from '../lib/dev/plan.ts';
import { bundleOptions } from '../lib/images.ts';
import { scratchCopy } from '../lib/scratch.ts';

const FIRST_CHECK_MS = 120_000;
const REBUILD_MS = 60_000;

describe('dev mode: what a change reloads', () => {
  let project = '';
  let builder: Builder;
  let last = new Map<string, string>();
  const file = (relative: string) => path.join(project, relative);

  /** Rewrites a file as an editor's save does, rebuilds, and resolves with the bundles that changed. */
  async function edit(relative: string, change: (text: string) => string) {
    await writeFile(file(relative), change(await readFile(file(relative), 'utf8')));
    const bundled = await builder.bundle();
    const errors = builder.check([{ file: file(relative), kind: 'change' }]);
    if (!bundled.ok) return { errors: bundled.errors, changed: [] };
    if (errors.length > 0) return { errors, changed: [] };
    const changed = changedBuilds(last, bundled.builds);
    last = bundled.builds;
    return { errors, changed };
  }

  /** The services whose bundle has `relative` in it, as esbuild's own metafile lists its inputs. */
  async function bundling(relative: string): Promise<string[]> {
    const entries = Object.fromEntries(SERVICES.map((s) => [`${s}/main`, file(`services/${s}/src/main.ts`)]));
    const { metafile } = await build({ ...bundleOptions(entries, path.join(project, 'dist', 'meta')), absWorkingDir: project, metafile: true, write: false });
    return Object.entries(metafile.outputs)
      .filter(([, output]) => relative in output.inputs)
      .map(([out]) => out.split('/').at(-2)!)
      .sort();
  }

  beforeAll(async () => {
    project = await scratchCopy();
    builder = await createBuilder({ root: project, outdir: path.join(project, 'dist', 'dev', 'code'), services: SERVICES });
    const bundled = await builder.bundle();
    expect(bundled.ok && builder.check()).toEqual([]);
    if (bundled.ok) last = bundled.builds;
  }, FIRST_CHECK_MS);

  afterAll(async () => {
    await builder?.close();
    if (project) await rm(project, { recursive: true, force: true });
  });

  it('when the project builds, then every service and the supervisor have a bundle', () => {
    expect([...last.keys()].sort()).toEqual([...SERVICES, SUPERVISOR].sort());
  });

  it(
    "when a service's own source changes, then only that service is reloaded",
    async () => {
      const { errors, changed } = await edit('services/api/src/routes.ts', (t) =>
        t.replace("response: 'ok', container: counters.pod", "response: 'ok', container: counters.pod, edited: 1"),
      );
      expect(errors).toEqual([]);
      expect(changed).toEqual(['api']);
    },
    REBUILD_MS,
  );

  it(
    'when a file of services/lib changes, then exactly the services that bundle it are reloaded',
    async () => {
      for (const lib of ['services/lib/logger.ts', 'services/lib/receipt.ts']) {
        const expected = await bundling(lib);
        expect(expected.length, lib).toBeGreaterThan(0);
        const { errors, changed } = await edit(lib, (t) => `${t}\nexport const edited${expected.length} = globalThis.process?.pid;\nvoid edited${expected.length};\n`);
        expect(errors, lib).toEqual([]);
        expect(changed.sort(), lib).toEqual(expected);
      }
    },
    REBUILD_MS * 2,
  );

  it(
    'when a change leaves every bundle as it was (a comment, a test), then nothing is reloaded',
    async () => {
      expect((await edit('services/api/src/routes.ts', (t) => `// a comment\n${t}`)).changed).toEqual([]);
    },
    REBUILD_MS,
  );

  it(
    'when a save has a syntax error, then the error names file:line and nothing is reloaded; the next good save is',
    async () => {
      const good = await readFile(file('services/text-to-csv/src/main.ts'), 'utf8');
      const broken = await edit('services/text-to-csv/src/main.ts', (t) => `${t}\nconst = ;\n`);
      expect(broken.changed).toEqual([]);
      expect(broken.errors.join('\n')).toMatch(new RegExp(`^services/text-to-csv/src/main\\.ts:${good.split('\n').length + 1}:\\d+ error`, 'm'));
      const fixed = await edit('services/text-to-csv/src/main.ts', () => `${good}\nvoid 'fixed';\nconsole.log('fixed');\n`);
      expect(fixed).toEqual({ errors: [], changed: ['text-to-csv'] });
    },
    REBUILD_MS,
  );

  it(
    'when a save has a type error, then the error names file:line and nothing is reloaded; the next good save is',
    async () => {
      const good = await readFile(file('services/api/src/routes.ts'), 'utf8');
      const broken = await edit('services/api/src/routes.ts', (t) => `${t}\nexport const wrong: number = 'text';\n`);
      expect(broken.changed).toEqual([]);
      expect(broken.errors.join('\n')).toMatch(new RegExp(`^services/api/src/routes\\.ts:${good.split('\n').length + 1}:\\d+ error TS2322`, 'm'));
      const fixed = await edit('services/api/src/routes.ts', () => good.replace('edited: 1', 'edited: 2'));
      expect(fixed).toEqual({ errors: [], changed: ['api'] });
    },
    REBUILD_MS,
  );
});

describe('dev mode: what a change asks for', () => {
  it.each([
    [['services/api/src/routes.ts'], { rebuild: true, apply: false, images: false }],
    [['services/lib/logger.ts', 'services/api/test/api.test.ts'], { rebuild: true, apply: false, images: false }],
    [['manifests/api.yaml'], { rebuild: false, apply: true, images: false }],
    [['package-lock.json'], { rebuild: true, apply: true, images: true }],
    [['services/Dockerfile'], { rebuild: true, apply: true, images: true }],
    [['README.md', 'e2e/1-flow-through.spec.ts'], { rebuild: false, apply: false, images: false }],
  ])('when %j change, then the plan is %j', (files, plan) => {
    expect(planFor(files)).toEqual(plan);
  });
});
