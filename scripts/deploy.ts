// npm run deploy [-- --follow] [-- --no-canary]: the pipeline on a local kind cluster, in small
// named steps. Safe to run again: a second run finds everything in place and creates nothing.
// Ready means data flows: after the rollouts, a canary listing is followed through every stage
// (lib/canary.ts); --no-canary leaves it out. --follow then tails every pipeline pod's logs
// (as `npm run logs`).
// A cluster left in dev mode (`npm run dev`) is put back on the images.
//
// Env (defaults in lib/config.ts):
//   KIND_NODE_IMAGE  node image for a new cluster (unset: kind-config.yaml's, else kind's default)
//   WAIT_SECONDS     time limit of each wait: nodes Ready, provisioner, each rollout (180)
//   CANARY_SECONDS   time limit of the canary, from its drop to its summary (60)
//   KIND_EXPERIMENTAL_PROVIDER  kind's container engine: preflight refuses any but docker
//   CI               set: plain progress lines, no spinner, even on a terminal
//   with --follow, as npm run logs: KUBECONFIG (~/.kube/config), NO_COLOR, FORCE_COLOR
import { applyOverlay, clusterSteps } from './lib/bring-up.ts';
import { runCanary } from './lib/canary.ts';
import { removeDevCode } from './lib/dev/overlay.ts';
import { colourFor, kind } from './lib/config.ts';
import { parseFlags } from './lib/flags.ts';
import type { Image } from './lib/images.ts';
import { createRenderer } from './lib/log-lines.ts';
import { writeOverlay } from './lib/manifests.ts';
import { waitRollouts } from './lib/rollouts.ts';
import { runScript } from './lib/run.ts';
import { runSteps } from './lib/steps.ts';
import { howToReach, workloads } from './lib/summary.ts';

async function main(): Promise<string> {
  const flags = parseFlags({
    follow: { type: 'boolean', description: 'then follow the logs, as npm run logs' },
    'no-canary': { type: 'boolean', description: 'skip the canary listing that checks data flows through every stage' },
  });
  let built: Image[] = [];
  let summary: string[] = [];
  await runSteps([
    ...clusterSteps((images) => (built = images)),
    {
      name: 'apply',
      run: async () => {
        const applied = await applyOverlay(await writeOverlay(built));
        return [applied, await removeDevCode()].filter(Boolean).join('; ');
      },
    },
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
  if (flags.follow) {
    // Loaded only here: the API client it needs takes about a second to load (lib/kube-client.ts).
    const { followLogs } = await import('./lib/follow.ts');
    await followLogs({ render: createRenderer({ colour: colourFor(process.stdout) }) });
  }
  return 'Next: npm run logs (follow the pipeline), npm run status, npm run reset (wipe the data), npm run teardown';
}

runScript(main);
