// npm run canary: checks that data flows through a running cluster, as deploy's last step does:
// a small listing dropped into the volume as a canary batch and followed through every stage to
// its receipts and summary. Changes nothing but adding that batch.
//
// Env (lib/config.ts):
//   CANARY_SECONDS   time limit of the canary, from its drop to its summary (60)
import { runCanary } from './lib/canary.ts';
import { parseFlags } from './lib/flags.ts';
import { requireContext } from './lib/kube.ts';
import { runScript } from './lib/run.ts';
import { runSteps } from './lib/steps.ts';
import { preflight } from './lib/tools.ts';

async function main(): Promise<string> {
  parseFlags({});
  await runSteps([
    {
      name: 'preflight',
      run: async () => {
        const tools = await preflight(['kubectl']);
        await requireContext();
        return tools;
      },
    },
    { name: 'canary', run: runCanary },
  ]);
  return 'Next: the dashboard (http://127.0.0.1:30081) shows the canary batch tagged canary; npm run logs follows the pipeline';
}

runScript(main);
