// npm run teardown: deletes the k8s-pipe cluster and everything in it, the data volume
// included. The same as `kind delete cluster --name k8s-pipe`.
//
// Env (lib/config.ts):
//   KIND_EXPERIMENTAL_PROVIDER  kind's container engine: preflight refuses any but docker
import { $ } from './lib/shell.ts';
import { clusterExists } from './lib/cluster.ts';
import { kind } from './lib/config.ts';
import { parseFlags } from './lib/flags.ts';
import { runScript } from './lib/run.ts';
import { runSteps } from './lib/steps.ts';
import { preflight } from './lib/tools.ts';

async function main(): Promise<string> {
  parseFlags({});
  await runSteps([
    { name: 'preflight', run: () => preflight(['docker', 'kind']) },
    {
      name: 'delete',
      run: async () => {
        if (!(await clusterExists())) return `no cluster ${kind.cluster}: nothing to delete`;
        await $({ timeout: '5m' })`kind delete cluster --name ${kind.cluster}`;
        return `deleted cluster ${kind.cluster}`;
      },
    },
  ]);
  return 'Next: npm run deploy creates it again';
}

runScript(main);
