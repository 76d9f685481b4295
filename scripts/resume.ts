// npm run resume: starts the node containers `npm run pause` stopped, then waits until every
// pipeline pod runs again. The cluster's records still say "Ready" from before the pause, so
// it waits for each pod's container to have started again since resume, and to be ready.
//
// Env (defaults in lib/config.ts):
//   WAIT_SECONDS  time limit of the wait for the pods (180)
//   KIND_EXPERIMENTAL_PROVIDER  kind's container engine: preflight refuses any but docker
import { clusterNodes } from './lib/cluster.ts';
import { kind } from './lib/config.ts';
import { kubectlJson, requireContext } from './lib/kube.ts';
import { $ } from './lib/shell.ts';
import { parseFlags } from './lib/flags.ts';
import { runScript } from './lib/run.ts';
import { runSteps } from './lib/steps.ts';
import { preflight } from './lib/tools.ts';
import { waitUntil } from './lib/wait.ts';

interface PodList {
  items: {
    metadata: { name: string; ownerReferences?: { kind: string }[] };
    status: { containerStatuses?: { ready: boolean; state: { running?: { startedAt: string } } }[] };
  }[];
}

/** Pods of Deployments not yet running again since `since`; Job pods (getdata) are left out. */
async function notBack(since: number): Promise<string | undefined> {
  const pods = await kubectlJson<PodList>(['get', 'pods', '--selector', `app.kubernetes.io/part-of=${kind.namespace}`]);
  const waiting = pods.items
    .filter((p) => p.metadata.ownerReferences?.some((o) => o.kind === 'ReplicaSet'))
    .filter((p) => !p.status.containerStatuses?.every((c) => c.ready && Date.parse(c.state.running?.startedAt ?? '') >= since))
    .map((p) => p.metadata.name);
  return waiting.length > 0 ? `waiting for ${waiting.join(', ')}` : undefined;
}

async function main(): Promise<string> {
  parseFlags({});
  // Container start times have whole seconds.
  const since = Math.floor(Date.now() / 1000) * 1000;
  await runSteps([
    { name: 'preflight', run: () => preflight(['docker', 'kind', 'kubectl']) },
    {
      name: 'start',
      run: async () => {
        const nodes = await clusterNodes();
        await $({ timeout: '2m' })`docker start ${nodes}`;
        await requireContext();
        return `started ${nodes.join(', ')}`;
      },
    },
    {
      name: 'pods',
      run: async () => {
        await waitUntil(() => notBack(since), 'pipeline pods not running again', 'npm run status');
        return 'every pipeline pod restarted and ready';
      },
    },
  ]);
  return 'Next: npm run status, npm run logs';
}

runScript(main);
