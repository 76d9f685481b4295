// npm run deploy [-- --follow] [-- --no-canary]: the pipeline on a local kind cluster, in small
// named steps. Safe to run again: a second run finds everything in place and creates nothing.
// Ready means data flows: after the rollouts, a canary listing is followed through every stage
// (lib/canary.ts); --no-canary leaves it out. --follow then tails every pipeline pod's logs
// (as `npm run logs`).
//
// Env (defaults in lib/config.ts):
//   KIND_NODE_IMAGE  node image for a new cluster (unset: kind-config.yaml's, else kind's default)
//   WAIT_SECONDS     time limit of each wait: nodes Ready, provisioner, each rollout (180)
//   CANARY_SECONDS   time limit of the canary, from its drop to its summary (60)
//   KIND_EXPERIMENTAL_PROVIDER  kind's container engine: preflight refuses any but docker
//   CI               set: plain progress lines, no spinner, even on a terminal
//   with --follow, as npm run logs: KUBECONFIG (~/.kube/config), NO_COLOR, FORCE_COLOR
import { runCanary } from './lib/canary.ts';
import { ensureCluster, nodeNames } from './lib/cluster.ts';
import { colourFor, kind } from './lib/config.ts';
import { parseFlags } from './lib/flags.ts';
import { baseImage, bundle, buildImages, describeBase, loadImages, missingOnNodes, nameImages, type Image } from './lib/images.ts';
import { kubectl } from './lib/kube.ts';
import { followLogs } from './lib/follow.ts';
import { createRenderer } from './lib/log-lines.ts';
import { writeOverlay } from './lib/manifests.ts';
import { waitRollouts } from './lib/rollouts.ts';
import { runScript } from './lib/run.ts';
import { runSteps, type Progress } from './lib/steps.ts';
import { ensureStorage } from './lib/storage.ts';
import { howToReach, workloads } from './lib/summary.ts';
import { preflight } from './lib/tools.ts';

/** The longest step, minutes on a cold machine: each image is its own sub-step. */
async function images(progress: Progress): Promise<{ images: Image[]; note: string }> {
  await progress('bundling the services', () => bundle());
  const base = await progress('choosing the base image', () => baseImage());
  const images = await nameImages(base);
  const built: Image[] = [];
  for (const [i, image] of images.entries()) {
    built.push(...(await progress(`${image.ref} (${i + 1}/${images.length})`, () => buildImages([image], base))));
  }
  const missing = await progress('finding what the node lacks', async () => missingOnNodes(images, await nodeNames()));
  if (missing.length > 0) await progress(`loading ${missing.length} images into the node`, () => loadImages(missing));
  return {
    images,
    note: `${built.length} built, ${missing.length} loaded, ${images.length - missing.length} already on the node; base ${describeBase(base)}`,
  };
}

/** "12 unchanged, 1 configured": what `kubectl apply` did, counted by its last word per line. */
function applied(lines: string[]): string {
  const counts = new Map<string, number>();
  for (const line of lines.filter(Boolean)) {
    const verb = line.trim().split(' ').pop() ?? '';
    counts.set(verb, (counts.get(verb) ?? 0) + 1);
  }
  return [...counts].map(([verb, n]) => `${n} ${verb}`).join(', ');
}

/**
 * Applies only when the server's dry run finds a difference, so an unchanged re-run writes
 * nothing (plain apply re-patches the PDB every time: its selector is a replace-strategy field).
 * diff exits 0 for no change, 1 for changes, above 1 when it cannot tell (first deploy).
 */
async function apply(images: Image[]): Promise<string> {
  const overlay = await writeOverlay(images);
  if ((await kubectl(['diff', '--kustomize', overlay], { nothrow: true })).exitCode === 0) return 'no changes: the cluster runs these manifests';
  return applied((await kubectl(['apply', '--kustomize', overlay])).lines());
}

async function main(): Promise<string> {
  const flags = parseFlags({
    follow: { type: 'boolean', description: 'then follow the logs, as npm run logs' },
    'no-canary': { type: 'boolean', description: 'skip the canary listing that checks data flows through every stage' },
  });
  let built: Image[] = [];
  let summary: string[] = [];
  await runSteps([
    { name: 'preflight', run: () => preflight(['docker', 'kind', 'kubectl']) },
    { name: 'cluster', run: ensureCluster },
    { name: 'storage', run: ensureStorage },
    {
      name: 'images',
      run: async (progress) => {
        const result = await images(progress);
        built = result.images;
        return result.note;
      },
    },
    { name: 'apply', run: () => apply(built) },
    { name: 'wait', run: waitRollouts },
    ...(flags['no-canary'] ? [] : [{ name: 'canary', run: runCanary }]),
    {
      name: 'summary',
      run: async () => {
        summary = [...(await workloads()), '', ...howToReach()];
        return `namespace ${kind.namespace} on context ${kind.context}`;
      },
    },
  ]);
  console.log(`\n${summary.map((l) => (l ? `  ${l}` : '')).join('\n')}`);
  if (flags.follow) await followLogs({ render: createRenderer({ colour: colourFor(process.stdout) }) });
  return 'Next: npm run logs (follow the pipeline), npm run status, npm run reset (wipe the data), npm run teardown';
}

runScript(main);
