// npm run bench [-- --target local|kind] [-- --cpu-limit 500m] [-- --memory-limit 512Mi]:
// listings of several sizes through the pipeline, once per posting mode, with end-to-end
// documents per second, the time from a small listing appearing to its first api answer, the
// time a listing of getdata's size dropped by hand takes end to end, and each process's or pod's
// peak memory. `local` (the default) runs the bundles as local processes beside the floor of
// single mode's libraries; `kind` runs them through the k8s-pipe cluster, with each pod's CPU
// seconds and which limit bounded each row, and puts the cluster back as it was.
//
// Environment:
//   BENCH_SIZES     10000,100000,1000000   listing sizes in lines
//   BENCH_MODES     single,bulk            json-to-api posting modes
//   REPLICAS        3                      api replicas (local)
//   WAIT_SECONDS    180                    time limit of each rollout and wait (kind)
import { parseBenchArgs } from './lib/bench-args.ts';
import { benchKind } from './lib/bench-kind.ts';
import { printSummary } from './lib/bench-table.ts';
import { NoClusterError } from './lib/errors.ts';
import { kubectl, requireContext } from './lib/kube.ts';
import { runScript } from './lib/run.ts';
import { preflight } from './lib/tools.ts';
import { benchLocal } from './local/bench-local.ts';

async function main(): Promise<string> {
  const args = parseBenchArgs(process.argv.slice(2));
  if (args.target === 'local') {
    printSummary(await benchLocal());
    return 'Next: npm run bench -- --target kind runs the same listings through the Kind cluster';
  }
  console.log(`✓ preflight  ${await preflight(['kubectl'])}`);
  await requireContext();
  const answer = await kubectl(['get', 'nodes', '--output', 'name'], { nothrow: true });
  if (answer.exitCode !== 0) throw new NoClusterError(`the k8s-pipe cluster does not answer: ${answer.stderr.trim().split('\n')[0]}`, 'npm run deploy');
  printSummary(await benchKind(args.limits));
  const status = 'npm run status shows the cluster as it was';
  return args.limits.cpu ? `Next: ${status}` : `Next: npm run bench -- --target kind --cpu-limit 500m runs it at the original limit; ${status}`;
}

runScript(main);
