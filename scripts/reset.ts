// npm run reset [-- --yes]: wipes the pipeline's data volume, keeping the cluster. Stops
// everything that mounts the claim `storage`, deletes and recreates the claim (a new, empty
// volume; local-path removes the old directory), then starts the pipeline again.
// Asks first, unless --yes is given or CI is set.
//
// Env (defaults in lib/config.ts):
//   CI            set: do not ask
//   WAIT_SECONDS  time limit of each wait: pods gone, claim deleted, each rollout (180)
import { once } from 'node:events';
import { question } from 'zx';
import { isCI, kind } from './lib/config.ts';
import { CancelledError, NoClusterError } from './lib/errors.ts';
import { parseFlags } from './lib/flags.ts';
import { kubectl, kubectlWait, requireContext } from './lib/kube.ts';
import { claimUsers, renderBase, type ClaimUsers } from './lib/manifests.ts';
import { runScript } from './lib/run.ts';
import { runSteps } from './lib/steps.ts';
import { preflight } from './lib/tools.ts';

const CLAIM = 'storage';
const suspend = (value: boolean) => JSON.stringify({ spec: { suspend: value } });

/** The answer typed, or '' when input ends first: zx's question alone would then never settle. */
function ask(prompt: string): Promise<string> {
  const ended = once(process.stdin, 'end').then(() => '');
  return Promise.race([question(prompt), ended]);
}

async function confirm(yes: boolean): Promise<void> {
  if (yes || isCI) return;
  const answer = await ask(`Delete every batch on the ${CLAIM} volume of ${kind.context}? [y/N] `);
  if (!/^y(es)?$/i.test(answer.trim())) throw new CancelledError('reset cancelled; nothing was changed', 'npm run reset -- --yes skips the question');
}

async function stopWriters(users: ClaimUsers): Promise<string> {
  for (const cronjob of users.cronjobs) {
    await kubectl(['patch', 'cronjob', cronjob, '--type', 'merge', '--patch', suspend(true)]);
    await kubectl(['delete', 'jobs', '--selector', `app.kubernetes.io/name=${cronjob}`, '--ignore-not-found']);
  }
  const names = users.deployments.map((d) => d.name);
  await kubectl(['scale', 'deployment', ...names, '--replicas', '0']);
  const pods = (await kubectl(['get', 'pods', '--selector', `app.kubernetes.io/name in (${[...names, ...users.cronjobs].join(',')})`, '--output', 'name'])).lines().filter(Boolean);
  if (pods.length > 0) await kubectlWait(['wait', '--for=delete', ...pods], 'pods still running', `kubectl --context ${kind.context} -n ${kind.namespace} get pods`);
  return `suspended ${users.cronjobs.join(', ')}; stopped ${names.join(', ')} (${pods.length} pods)`;
}

async function wipe(users: ClaimUsers): Promise<string> {
  await kubectlWait(
    ['delete', 'persistentvolumeclaim', CLAIM, '--ignore-not-found', '--wait'],
    `claim ${CLAIM} not deleted`,
    `kubectl --context ${kind.context} -n ${kind.namespace} describe pvc ${CLAIM}`,
  );
  await kubectl(['apply', '--filename', '-'], { input: JSON.stringify(users.claim) });
  return `claim ${CLAIM} deleted and created empty`;
}

async function start(users: ClaimUsers): Promise<string> {
  for (const d of users.deployments) await kubectl(['scale', 'deployment', d.name, '--replicas', String(d.replicas)]);
  for (const cronjob of users.cronjobs) await kubectl(['patch', 'cronjob', cronjob, '--type', 'merge', '--patch', suspend(false)]);
  for (const d of users.deployments) {
    await kubectlWait(['rollout', 'status', `deployment/${d.name}`], `${d.name} not rolled out`, 'npm run status');
  }
  return `${users.deployments.length} deployments running, ${users.cronjobs.join(', ')} resumed`;
}

async function main(): Promise<string> {
  const flags = parseFlags({ yes: { type: 'boolean', description: 'do not ask first' } });
  await preflight(['kubectl']);
  await requireContext();
  if ((await kubectl(['get', 'namespace', kind.namespace], { nothrow: true })).exitCode !== 0) {
    throw new NoClusterError(`namespace ${kind.namespace} is not there: nothing to reset`, 'npm run deploy');
  }
  await confirm(flags.yes ?? false);
  const users = claimUsers(await renderBase(), CLAIM);
  await runSteps([
    { name: 'stop', run: () => stopWriters(users) },
    { name: 'wipe', run: () => wipe(users) },
    { name: 'start', run: () => start(users) },
  ]);
  return 'Next: npm run logs to watch the first new batch (getdata runs each minute), or npm run status';
}

runScript(main);
