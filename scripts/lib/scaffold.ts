// What `npm run new-stage` makes: the files of a pass-through file stage, and the lines that
// register it in the pipeline definition and in the manifests. Pure: scripts/new-stage.ts reads
// and writes, so that a refused request leaves the tree as it was.
import { DATA_STAGES, SERVICES, STAGE_DIRS, STAGES, type Folder, type Stage } from '../../services/lib/pipeline.ts';
import { ScaffoldError } from './errors.ts';

/** A Kubernetes name (it names the Deployment, its pods and labels), a folder, an image and a metric prefix at once. */
const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
// Pod names add a ReplicaSet hash and a suffix to the Deployment's name, within 63 characters.
const MAX_NAME = 40;
/** Names the tree already uses for something other than a service: shared service code, local mode's logs. */
const RESERVED = ['lib', 'logs'];

export interface NewStage {
  name: string;
  /** The stage whose output the new one reads. */
  after: Stage;
  input: Folder;
  /** Named after the stage, in the format of its input: a pass-through writes what it reads. */
  output: Folder;
  /** The stage that read `after`'s output until now, and reads the new stage's from now on. */
  next: string;
}

/** Stages a new one can follow: those that write batches for a next stage. */
export const FOLLOWABLE = STAGES.filter((s) => s.kind === 'source' || s.kind === 'file-stage').map((s) => s.name);

/** Checks the request against the pipeline and the tree (`exists` says whether a path of the tree is taken). */
export function planStage(name: string, after: string, exists: (relativePath: string) => boolean): NewStage {
  const rules = `a stage name is lower-case letters and digits in words joined by single dashes, starting with a letter, at most ${MAX_NAME} characters: enrich, add-owner`;
  if (!NAME.test(name) || name.length > MAX_NAME) throw new ScaffoldError(`${JSON.stringify(name)} cannot name a stage`, rules);
  if ((SERVICES as readonly string[]).includes(name))
    throw new ScaffoldError(`there is already a service named ${name}`, `pick another name; the pipeline has ${SERVICES.join(', ')}`);
  if ((STAGE_DIRS as readonly string[]).includes(name) || RESERVED.includes(name)) {
    throw new ScaffoldError(`${name} is already taken: the data directory or services/ uses that name`, `pick another name than ${[...STAGE_DIRS, ...RESERVED].join(', ')}`);
  }
  for (const taken of [`services/${name}`, `manifests/${name}.yaml`]) {
    if (exists(taken)) throw new ScaffoldError(`${taken} already exists`, `pick another name, or remove ${taken} if it is a leftover`);
  }
  const follows = `--after takes a stage that writes batches: ${FOLLOWABLE.join(', ')}`;
  const before = STAGES.find((s) => s.name === after);
  if (!before) throw new ScaffoldError(`no stage ${JSON.stringify(after)} in the pipeline (services/lib/pipeline.ts)`, follows);
  if (!FOLLOWABLE.includes(before.name)) throw new ScaffoldError(`${after} is the pipeline's ${before.kind}: it writes no batches for a stage after it`, follows);
  const input = before.output!;
  const next = DATA_STAGES.find((s) => STAGES.find((t) => t.name === s)?.input?.dir === input.dir)!;
  return { name, after: before, input, output: { dir: name, ext: input.ext }, next };
}

/** The new stage's own files, by path from the repository root. */
export function stageFiles(s: NewStage): Record<string, string> {
  const { name } = s;
  const flow = `${s.input.dir}/<batch>${s.input.ext} -> ${s.output.dir}/<batch>${s.output.ext}`;
  return {
    [`services/${name}/src/main.ts`]: `import { readEnv } from '../../lib/config.ts';
import { runMain } from '../../lib/main.ts';
import { start } from './service.ts';

runMain('${name}', () => {
  const env = readEnv('${name}');
  return start({ dataDir: env.DATA_DIR, port: env.PORT, host: env.HOST, logLevel: env.LOG_LEVEL, partLines: env.PART_LINES });
});
`,
    [`services/${name}/src/service.ts`]: `// ${name}: ${flow}, each line through transform.ts. The folders come from
// services/lib/pipeline.ts; the stage machinery (services/lib/file-stage.ts) does the rest: it
// claims batches, accounts for every line, hands the output over atomically, stops cleanly and
// quarantines a batch that keeps failing.
import { startLineStage, type ConverterStageOptions, type RunningStage } from '../../lib/file-stage.ts';
import { transform } from './transform.ts';

export function start(o: ConverterStageOptions): Promise<RunningStage> {
  return startLineStage({ ...o, name: '${name}', transform });
}
`,
    [`services/${name}/src/transform.ts`]: `// What ${name} makes of each line of a batch (${s.input.ext} lines, as ${s.after.name} writes them). Pure,
// so its test needs no files: return { out } to write a line, { skip: reason } or
// { dead: reason } to leave it out, counted or dead-lettered with the reason.
import type { LineResult } from '../../lib/file-stage.ts';

export function transform(line: string): LineResult {
  return { out: line };
}
`,
    [`services/${name}/test/transform.test.ts`]: `import { describe, expect, test } from 'vitest';
import { transform } from '../src/transform.ts';

describe('${name}', () => {
  test('when a line comes in, then it goes out as it came', () => {
    expect(transform('one line of a batch')).toEqual({ out: 'one line of a batch' });
  });
});
`,
    [`manifests/${name}.yaml`]: `# ${name}: ${flow}, each line through services/${name}/src/transform.ts.
# What every stage's pod shares comes from pod-defaults/.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels:
    app.kubernetes.io/name: ${name}
    app.kubernetes.io/component: stage
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
        app.kubernetes.io/component: stage
    spec:
      # A stop abandons the batch in hand (it is redone from its input after the restart), as
      # the converters' does: their short grace period fits.
      terminationGracePeriodSeconds: 5
      containers:
        - name: ${name}
          image: k8s-pipe/${name}
`,
  };
}

/** services/lib/pipeline.ts with the new stage's line after the one of the stage it follows. */
export function registerInPipeline(text: string, s: NewStage): string {
  const line = `  { name: '${s.name}', kind: 'file-stage', output: { dir: '${s.output.dir}', ext: '${s.output.ext}' } },\n`;
  return insertAfter(text, new RegExp(`^ {2}\\{ name: '${s.after.name}', .*\\n`, 'm'), line, 'services/lib/pipeline.ts');
}

/** manifests/kustomization.yaml with the new stage's manifest and image beside those of the stage it follows. */
export function registerInManifests(text: string, s: NewStage): string {
  const file = 'manifests/kustomization.yaml';
  const withResource = insertAfter(text, new RegExp(`^ {2}- ${s.after.name}\\.yaml\\n`, 'm'), `  - ${s.name}.yaml\n`, file);
  return insertAfter(
    withResource,
    new RegExp(`^ {2}- name: k8s-pipe/${s.after.name}\\n {4}newTag: .*\\n`, 'm'),
    `  - name: k8s-pipe/${s.name}\n    newTag: built-by-deploy\n`,
    file,
  );
}

function insertAfter(text: string, anchor: RegExp, line: string, file: string): string {
  const m = anchor.exec(text);
  if (!m)
    throw new ScaffoldError(`${file} has no line matching ${anchor.source}, so the new stage cannot be registered there`, `restore ${file} to one entry per line, as it ships`);
  const at = m.index + m[0].length;
  return text.slice(0, at) + line + text.slice(at);
}
