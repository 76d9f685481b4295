// npm run resume: starts the node containers `npm run pause` stopped, then waits for the nodes
// and every pipeline Deployment to be ready again.
//
// Env (defaults in lib/config.ts):
//   WAIT_SECONDS  time limit of each wait: nodes Ready, each rollout (180)
import { clusterNodes, waitNodesReady } from './lib/cluster.ts';
import { requireContext } from './lib/kube.ts';
import { waitRollouts } from './lib/rollouts.ts';
import { $ } from './lib/shell.ts';
import { runScript } from './lib/run.ts';
import { runSteps } from './lib/steps.ts';
import { preflight } from './lib/tools.ts';

async function main(): Promise<string> {
  await runSteps([
    { name: 'preflight', run: () => preflight(['docker', 'kind', 'kubectl']) },
    {
      name: 'start',
      run: async () => {
        const nodes = await clusterNodes();
        await $({ timeout: '2m' })`docker start ${nodes}`;
        await requireContext();
        return `started ${nodes.join(', ')}, ${await waitNodesReady()}`;
      },
    },
    { name: 'wait', run: waitRollouts },
  ]);
  return 'Next: npm run status, npm run logs';
}

runScript(main);
