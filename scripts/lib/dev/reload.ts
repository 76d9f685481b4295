// One round of dev mode: what a batch of changed files asks for (plan.ts), done in order — new
// images, a rebuild, delivery of the bundles that changed, an apply — then one line per
// reloaded service once every one of its pods serves the new build.
import path from 'node:path';
import { chalk } from 'zx';
import { SERVICES } from '../../../services/lib/pipeline.ts';
import { applyOverlay, ensureImages, NO_CHANGES } from '../bring-up.ts';
import type { Image } from '../images.ts';
import { kubectl } from '../kube.ts';
import { waitRollouts } from '../rollouts.ts';
import { kind } from '../config.ts';
import { SUPERVISOR } from '../paths.ts';
import type { Builder } from './builder.ts';
import { writeDevOverlay } from './overlay.ts';
import { changedBuilds, planFor } from './plan.ts';
import type { createServedCheck } from './served.ts';
import { stage, swap } from './sync.ts';
import type { Change } from './typecheck.ts';
import type { Batch } from './watch.ts';

/** A reload's time limit, from the bundle's delivery to the last pod serving it. */
export const RELOAD_SECONDS = 60;

export interface DevState {
  root: string;
  nodes: string[];
  images: Image[];
  builder: Builder;
  served: ReturnType<typeof createServedCheck>;
  /** The build of each bundle the nodes hold. */
  delivered: Map<string, string>;
  /** Prints one line of dev mode's own (the logs are printed beside it). */
  say(line: string): void;
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)}s`;

export type Delivered = { ok: true; changed: string[] } | { ok: false; errors: string[] };

/**
 * Bundles; copies the bundles whose build changed onto the nodes while the type check runs; and
 * when both pass, swaps them in. Resolves with the names swapped in, or the errors.
 */
export async function buildAndDeliver(state: DevState, changes: Change[] = []): Promise<Delivered> {
  const bundled = await state.builder.bundle();
  if (!bundled.ok) {
    // Checked all the same, to keep the type check in step with the files.
    state.builder.check(changes);
    return bundled;
  }
  const changed = changedBuilds(state.delivered, bundled.builds);
  const codeDir = path.dirname(state.builder.fileOf(SUPERVISOR));
  const files = changed.map((name) => ({ from: state.builder.fileOf(name), to: path.relative(codeDir, state.builder.fileOf(name)) }));
  const staging = stage(state.nodes, files);
  const errors = state.builder.check(changes);
  await staging;
  if (errors.length > 0) return { ok: false, errors };
  await swap(state.nodes, files);
  for (const name of changed) state.delivered.set(name, bundled.builds.get(name)!);
  return { ok: true, changed };
}

/** Waits for every pod of each service to serve its delivered build, printing a line per service. */
export async function confirmServed(state: DevState, services: string[], since: number): Promise<void> {
  await Promise.all(
    services.map(async (service) => {
      const build = state.delivered.get(service)!;
      try {
        const { serving, pods } = await state.served.wait(service, build, RELOAD_SECONDS);
        const where = pods === 0 ? 'no pod running; its next run uses it' : `${serving}/${pods} pods`;
        state.say(`${chalk.green('✓')} ${service} reloaded in ${seconds(since)} (${where}) build ${build}`);
      } catch (err) {
        state.say(`${chalk.red('✗')} ${service} not reloaded: ${(err as Error).message}`);
      }
    }),
  );
}

export async function reload(state: DevState, batch: Batch): Promise<void> {
  const files = batch.changes.map((c) => path.relative(state.root, c.file));
  const plan = planFor(files);
  if (plan.images) {
    state.say(`${chalk.cyan('…')} ${files.filter((f) => !f.startsWith('services/') || f.endsWith('Dockerfile')).join(', ')} changed: building the images`);
    const { images, note } = await ensureImages(async (what, work) => {
      state.say(`  images: ${what}`);
      return work();
    });
    state.images = images;
    state.say(`${chalk.green('✓')} images ${note}`);
  }
  let reloaded: string[] = [];
  if (plan.rebuild) {
    const result = await buildAndDeliver(state, batch.changes);
    if (!result.ok) {
      state.say(`${chalk.red('✗')} build failed; the cluster keeps running the last good build:\n${result.errors.map((e) => `    ${e}`).join('\n')}`);
      return;
    }
    const changed = result.changed;
    if (changed.includes(SUPERVISOR)) {
      // Each pod's PID 1 is the supervisor: only a new pod runs a new one.
      await kubectl(['rollout', 'restart', 'deployments', '--selector', `app.kubernetes.io/part-of=${kind.namespace}`]);
      plan.apply = true;
    }
    reloaded = changed.filter((name) => (SERVICES as readonly string[]).includes(name));
    if (changed.length === 0 && !plan.apply) state.say(chalk.dim(`· ${files.join(', ')}: no bundle changed`));
  }
  if (plan.apply) {
    const note = await applyOverlay(await writeDevOverlay(state.images));
    if (note !== NO_CHANGES) await waitRollouts();
    state.say(`${chalk.green('✓')} manifests ${note} in ${seconds(batch.since)}`);
  }
  await confirmServed(state, reloaded, batch.since);
}
