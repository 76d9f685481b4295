// npm run dev [-- --level <level>] [-- --no-canary]: deploys as `npm run deploy` does, then keeps the cluster
// running the code on disk. A saved change to a service serves in the cluster in a second or
// two, with no image build: esbuild rebuilds the bundles beside a type check, the bundles that
// changed are copied into the node, and each pod's supervisor restarts its service on the new
// one (why this path keeps the production security context: lib/dev/overlay.ts). Manifests are
// applied on change, and images are rebuilt when package.json, the lockfile or the Dockerfile
// change. Like deploy, it ends with a canary listing followed through every stage (--no-canary
// leaves it out). The pipeline's logs are followed in the same terminal. Ctrl-C stops watching and
// leaves the cluster running; `npm run deploy` puts it back on images.
//
// Env (defaults in lib/config.ts):
//   KIND_NODE_IMAGE  node image for a new cluster (unset: kind-config.yaml's, else kind's default)
//   WAIT_SECONDS     time limit of each wait: nodes Ready, provisioner, each rollout (180)
//   KIND_EXPERIMENTAL_PROVIDER  kind's container engine: preflight refuses any but docker
//   CI               set: plain progress lines, no spinner, even on a terminal
//   CANARY_SECONDS   time limit of the canary, from its drop to its summary (60)
//   KUBECONFIG (~/.kube/config), NO_COLOR, FORCE_COLOR: as npm run logs
import { SERVICES } from '../services/lib/pipeline.ts';
import { applyOverlay, clusterSteps } from './lib/bring-up.ts';
import { runCanary } from './lib/canary.ts';
import { nodeNames } from './lib/cluster.ts';
import { colourFor } from './lib/config.ts';
import { BuildError } from './lib/errors.ts';
import { parseFlags } from './lib/flags.ts';
import { followLogs } from './lib/follow.ts';
import type { Image } from './lib/images.ts';
import { createRenderer, levelFlag } from './lib/log-lines.ts';
import { devCodeDir, root } from './lib/paths.ts';
import { waitRollouts } from './lib/rollouts.ts';
import { runScript } from './lib/run.ts';
import { runSteps } from './lib/steps.ts';
import { createBuilder, type Builder } from './lib/dev/builder.ts';
import { awaitDevCodeGone, writeDevOverlay } from './lib/dev/overlay.ts';
import { buildAndDeliver, confirmServed, reload, type DevState } from './lib/dev/reload.ts';
import { createServedCheck } from './lib/dev/served.ts';
import { prepareNodes } from './lib/dev/sync.ts';
import { watchSources } from './lib/dev/watch.ts';

async function main(): Promise<string> {
  const flags = parseFlags({
    level: { type: 'string', value: '<level>', description: 'leave out log lines below this pino level, e.g. warn' },
    'no-canary': { type: 'boolean', description: 'skip the canary listing that checks data flows through every stage' },
  });
  const minLevel = levelFlag(flags.level);
  let images: Image[] = [];
  let builder: Builder | undefined;
  let state: DevState | undefined;
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    await runSteps([
      ...clusterSteps((built) => (images = built)),
      {
        name: 'build',
        run: async () => {
          builder = await createBuilder({ root, outdir: devCodeDir, services: SERVICES });
          state = { root, nodes: await nodeNames(), images, builder, served: createServedCheck(), delivered: new Map(), say };
          await prepareNodes(state.nodes, SERVICES);
          const result = await buildAndDeliver(state);
          if (!result.ok) throw new BuildError(`the services do not build:\n${result.errors.map((e) => `  ${e}`).join('\n')}`, 'fix the errors above and run npm run dev again');
          return `${result.changed.length} bundles type-checked and copied into ${state.nodes.length} node${state.nodes.length === 1 ? '' : 's'}`;
        },
      },
      {
        name: 'apply',
        run: async () => {
          await awaitDevCodeGone();
          return applyOverlay(await writeDevOverlay(images));
        },
      },
      { name: 'wait', run: waitRollouts },
      {
        name: 'served',
        run: async () => {
          await confirmServed(state!, [...SERVICES], performance.now());
          return `${SERVICES.length} services run the code on disk`;
        },
      },
      ...(flags['no-canary'] ? [] : [{ name: 'canary', run: runCanary }]),
    ]);
  } catch (err) {
    await builder?.close();
    throw err;
  }
  const watching = watchSources(root, (batch) =>
    reload(state!, batch).catch((err: unknown) => {
      say(`✗ ${(err as Error).message}`);
    }),
  );
  await watching.ready;
  say('watching');
  // A second SIGINT (Ctrl-C pressed again, or relayed by tsx) must not kill the process before it
  // has said how it ended: a listener that stays keeps node from dying of it.
  const stayAlive = () => {};
  process.on('SIGINT', stayAlive).on('SIGTERM', stayAlive);
  await followLogs({ sinceSeconds: 1, render: createRenderer({ colour: colourFor(process.stdout), minLevel }) });
  // Ctrl-C: nothing else waits for its end. esbuild's process, in the same process group, has had
  // the same SIGINT, so waiting for it to close could wait for ever; exiting stops the watcher and
  // the builds, and a delivery cut short leaves only a dot-file on the node (the rename is last).
  return 'Stopped watching; the cluster keeps running in dev mode. Next: npm run deploy (back to images), npm run logs, npm run teardown';
}

runScript(main);
