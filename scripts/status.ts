// npm run status: what runs (pods and replicas), the claim, the last getdata runs, what the
// data volume holds, and the api's /stats. Reads only; changes nothing.
//
// Env: none (the cluster, context and namespace are fixed in lib/config.ts).
import { chalk } from 'zx';
import { kind } from './lib/config.ts';
import { kubectl, requireContext } from './lib/kube.ts';
import { claimUsers, renderBase } from './lib/manifests.ts';
import { parseFlags } from './lib/flags.ts';
import { runScript } from './lib/run.ts';
import { statsPath, workloads } from './lib/summary.ts';
import { preflight } from './lib/tools.ts';
import { volumeSummary } from './lib/volume.ts';

const section = (title: string, lines: string[]) => console.log(`\n${chalk.bold(title)}\n${lines.map((l) => `  ${l}`).join('\n')}`);

/** A section that cannot be read says why, instead of hiding the others. */
async function attempt(read: () => Promise<string[]>): Promise<string[]> {
  try {
    return await read();
  } catch (err) {
    return [chalk.yellow(`unavailable: ${(err as Error).message.trim().split('\n')[0]}`)];
  }
}

async function main(): Promise<string> {
  parseFlags({});
  await preflight(['kubectl']);
  await requireContext();
  const selector = ['--selector', `app.kubernetes.io/part-of=${kind.namespace}`];
  const table = async (args: string[]) => (await kubectl(args)).lines().filter(Boolean);
  const users = claimUsers(await renderBase(), 'storage');

  section('Workloads', await attempt(workloads));
  section('Pods', await attempt(() => table(['get', 'pods', ...selector, '--output', 'wide'])));
  section('Claim', await attempt(() => table(['get', 'persistentvolumeclaim', users.claim.metadata.name])));
  section(
    'Last getdata runs',
    await attempt(() => table(['get', 'jobs', '--selector', `app.kubernetes.io/name in (${users.cronjobs.join(',')})`, '--sort-by', '.metadata.creationTimestamp'])),
  );
  section('Data volume', await attempt(() => volumeSummary(users.deployments.map((d) => d.name))));
  section('api /stats', await attempt(async () => [(await kubectl(['get', '--raw', statsPath])).stdout.trim()]));
  return 'Next: npm run logs to follow the pipeline, npm run reset to wipe the data';
}

runScript(main);
