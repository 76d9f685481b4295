// npm run logs [-- --stage <service>] [-- --since 10m]: follows every pipeline pod, CronJob
// runs started later included, each line prefixed with its pod's name. Ctrl-C stops.
//
// Env: none.
import { argv } from 'zx';
import { ScriptError } from './lib/errors.ts';
import { followLogs } from './lib/follow.ts';
import { SERVICES } from './lib/images.ts';
import { requireContext } from './lib/kube.ts';
import { runScript } from './lib/run.ts';
import { preflight } from './lib/tools.ts';

async function main(): Promise<string> {
  const stage = argv.stage === undefined ? undefined : String(argv.stage);
  if (stage !== undefined && !(SERVICES as readonly string[]).includes(stage)) {
    throw new ScriptError(`unknown stage ${JSON.stringify(stage)}`, `--stage takes one of ${SERVICES.join(', ')}`);
  }
  await preflight(['kubectl']);
  await requireContext();
  await followLogs({ stage, since: argv.since === undefined ? undefined : String(argv.since) });
  return 'Stopped following. npm run status shows where the pipeline stands';
}

runScript(main);
