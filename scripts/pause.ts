// npm run pause: freezes the cluster by stopping its node containers. Every object and the data
// volume stay as they are; `npm run resume` starts it again. Frees the laptop's CPU and memory
// without the minutes a teardown and a fresh deploy cost.
//
// Env (lib/config.ts):
//   KIND_EXPERIMENTAL_PROVIDER  kind's container engine: preflight refuses any but docker
import { clusterNodes } from './lib/cluster.ts';
import { $ } from './lib/shell.ts';
import { parseFlags } from './lib/flags.ts';
import { runScript } from './lib/run.ts';
import { runSteps } from './lib/steps.ts';
import { preflight } from './lib/tools.ts';

async function main(): Promise<string> {
  parseFlags({});
  await runSteps([
    { name: 'preflight', run: () => preflight(['docker', 'kind']) },
    {
      name: 'stop',
      run: async () => {
        const nodes = await clusterNodes();
        await $({ timeout: '2m' })`docker stop ${nodes}`;
        return `stopped ${nodes.join(', ')}`;
      },
    },
  ]);
  return 'Next: npm run resume';
}

runScript(main);
