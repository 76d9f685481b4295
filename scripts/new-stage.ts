// npm run new-stage -- <name> --after <stage>: scaffolds a working pass-through file stage that
// reads what <stage> writes, in the pipeline after it: services/<name>/ (main.ts, service.ts, a
// pure transform.ts and its test) and manifests/<name>.yaml, registered by one line in
// services/lib/pipeline.ts and two entries in manifests/kustomization.yaml. Local mode, the
// images, deploy, the dashboard and the e2e suite take it from there. A name or stage it
// refuses leaves the tree as it was.
//
// Env: none.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chalk } from 'zx';
import { UsageError } from './lib/errors.ts';
import { knownFlags, parseFlagsAndArgument } from './lib/flags.ts';
import { root } from './lib/paths.ts';
import { runScript } from './lib/run.ts';
import { FOLLOWABLE, planStage, registerInManifests, registerInPipeline, stageFiles } from './lib/scaffold.ts';

const FLAGS = {
  after: { type: 'string', value: '<stage>', description: `the stage whose output it reads: ${FOLLOWABLE.join(', ')}` },
} as const;

const PIPELINE_FILE = 'services/lib/pipeline.ts';
const KUSTOMIZATION = 'manifests/kustomization.yaml';

async function main(): Promise<string> {
  const { argument: name, flags } = parseFlagsAndArgument(FLAGS, '<name> for the new stage');
  if (flags.after === undefined) throw new UsageError('--after is missing: which stage does the new one follow?', knownFlags(FLAGS));
  const stage = planStage(name, flags.after, (p) => existsSync(path.join(root, p)));
  const read = (file: string) => readFile(path.join(root, file), 'utf8');
  const [pipeline, kustomization] = await Promise.all([read(PIPELINE_FILE), read(KUSTOMIZATION)]);
  // Everything is worked out before anything is written, so a refusal changes nothing.
  const edits = { [PIPELINE_FILE]: registerInPipeline(pipeline, stage), [KUSTOMIZATION]: registerInManifests(kustomization, stage) };
  const created = stageFiles(stage);
  await writeAll(created, edits, { [PIPELINE_FILE]: pipeline, [KUSTOMIZATION]: kustomization }, [`services/${name}`]);

  for (const file of Object.keys(created)) console.log(`${chalk.green('✓')} created ${file}`);
  console.log(`${chalk.green('✓')} ${PIPELINE_FILE}: ${name} reads ${stage.input.dir}/ and writes ${stage.output.dir}/; ${stage.next} now reads ${stage.output.dir}/`);
  console.log(`${chalk.green('✓')} ${KUSTOMIZATION}: ${name}.yaml and the image k8s-pipe/${name}`);
  return [
    `Next: npx vitest run services/${name}, then npm start and drop a listing (LC_ALL=C ls -l /usr/bin > .data/txt/listing.txt):`,
    `      .data/logs/${name}.log says "batch done" for it. Make it yours in services/${name}/src/transform.ts (README: "Write your own stage").`,
  ].join('\n');
}

/** Writes the new files and the edits; if any write fails, takes them all back. */
async function writeAll(created: Record<string, string>, edits: Record<string, string>, originals: Record<string, string>, newDirs: string[]): Promise<void> {
  try {
    for (const [file, text] of Object.entries(created)) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), text, { flag: 'wx' });
    }
    for (const [file, text] of Object.entries(edits)) await writeFile(path.join(root, file), text);
  } catch (err) {
    for (const [file, text] of Object.entries(originals)) await writeFile(path.join(root, file), text);
    for (const file of Object.keys(created)) await rm(path.join(root, file), { force: true });
    for (const dir of newDirs) await rm(path.join(root, dir), { recursive: true, force: true });
    throw err;
  }
}

runScript(main);
