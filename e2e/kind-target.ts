// The kind target: the cluster `npm run deploy` made, driven with kubectl pinned to its context
// and namespace (scripts/lib/kube.ts). Files go in and out of the shared volume through a pod
// that mounts it, with the pod's own node doing the file work, so nothing but node and kubectl
// is assumed on either side.
import path from 'node:path';
import { expect } from '@playwright/test';
import { ScriptError } from '../scripts/lib/errors.ts';
import { kubectl, kubectlJson, kubectlWait, requireContext } from '../scripts/lib/kube.ts';
import { $ } from '../scripts/lib/shell.ts';
import { STAGE_DIRS, type DirListing } from '../services/lib/layout.ts';
import { DATA_STAGES } from '../services/lib/pipeline.ts';
import { listedFrom } from './listed.ts';
import { timeouts } from './settings.ts';
import type { DataStage, Killable, Target } from './target.ts';

// The data stages mount the volume read-write: any ready one is a door into it. Scenarios
// restart them, so the door is whichever is ready when the one in use goes away.
const DOORS = `app.kubernetes.io/name in (${DATA_STAGES.join(',')})`;
// The NodePort that kind-config.yaml maps to the host's loopback.
const DASHBOARD_URL = 'http://127.0.0.1:30081';

const LIST = String.raw`
const fs = require('fs');
const out = {};
for (const d of JSON.parse(process.argv[1])) {
  try { out[d] = fs.readdirSync('/data/' + d); } catch (e) { if (e.code !== 'ENOENT') throw e; out[d] = []; }
}
process.stdout.write(JSON.stringify(out));`;

const READ = String.raw`
const fs = require('fs');
try { process.stdout.write(fs.readFileSync('/data/' + process.argv[1]).toString('base64')); }
catch (e) { if (e.code !== 'ENOENT') throw e; process.exitCode = 3; }`;

// Written beside the volume's other temp files, then renamed: text-to-csv never sees half a file.
const DROP = String.raw`
const fs = require('fs');
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c)).on('end', () => {
  const tmp = '/data/.tmp/e2e.' + process.argv[1];
  const fd = fs.openSync(tmp, 'w');
  fs.writeSync(fd, Buffer.from(Buffer.concat(chunks).toString(), 'base64'));
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, '/data/txt/' + process.argv[1]);
});`;

const NOT_FOUND = 3;

class KindTargetError extends Error {
  override name = 'KindTargetError';
}

interface PodList {
  items: Array<{
    metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string };
    status: { conditions?: Array<{ type: string; status: string }> };
  }>;
}

async function readyPods(selector: string): Promise<Array<{ name: string; container: string }>> {
  const pods = await kubectlJson<PodList>(['get', 'pods', '--selector', selector]);
  return pods.items
    .filter((p) => !p.metadata.deletionTimestamp && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((p) => ({ name: p.metadata.name, container: p.metadata.labels['app.kubernetes.io/name']! }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

const readyNames = async (service: string) => (await readyPods(`app.kubernetes.io/name=${service}`)).map((p) => p.name);

/** Waits for a Deployment's rollout, a replacement pod included, to be complete and ready. */
async function rolledOut(stage: DataStage): Promise<void> {
  await kubectlWait(['rollout', 'status', `deployment/${stage}`], `${stage} did not roll out`, `kubectl --context kind-k8s-pipe -n k8s-pipe describe deployment/${stage}`, {
    waitSeconds: timeouts.start / 1000,
  });
  await expect.poll(async () => (await readyNames(stage)).length, { message: `a ready ${stage} pod`, timeout: timeouts.start }).toBeGreaterThan(0);
}

export function kindTarget(): Target {
  let door: { name: string; container: string } | undefined;
  const exec = (d: { name: string; container: string }, script: string, args: string[], input?: string) =>
    kubectl(['exec', ...(input === undefined ? [] : ['--stdin']), `pod/${d.name}`, '--container', d.container, '--', 'node', '-e', script, ...args], { input, nothrow: true });
  const node = async (script: string, args: string[], input?: string) => {
    door ??= (await readyPods(DOORS))[0];
    if (!door) throw new KindTargetError('no ready data stage pod to reach the volume through');
    const out = await exec(door, script, args, input);
    // kubectl exec's own failures (pod gone, container not running) are not the script's exit codes.
    if (out.exitCode === 0 || out.exitCode === NOT_FOUND || !/pods? ".*" not found|container not found|unable to upgrade connection|does not have a host assigned/.test(out.stderr))
      return out;
    door = (await readyPods(DOORS))[0];
    if (!door) throw new KindTargetError(`no ready data stage pod to reach the volume through: ${out.stderr}`);
    return exec(door, script, args, input);
  };

  return {
    name: 'kind',
    async up() {
      try {
        await requireContext();
        await kubectlWait(['wait', '--for=condition=Available', 'deployment', '--all'], 'the pipeline is not available', 'npm run deploy, then npm run status', {
          waitSeconds: timeouts.start / 1000,
        });
      } catch (err) {
        // The scripts' errors carry the next step in `hint`; a test report shows only the message.
        if (err instanceof ScriptError) throw new KindTargetError(`${err.message} (next: ${err.hint}; or run the local target: E2E_TARGET=local)`);
        throw err;
      }
    },
    // The cluster outlives the suite, and triggered Jobs are deleted as they finish.
    async down() {},
    async drop(fileName, content) {
      const out = await node(DROP, [fileName], content.toString('base64'));
      if (out.exitCode !== 0) throw new KindTargetError(`could not drop ${fileName} into the volume: ${out.stderr}`);
    },
    async files() {
      const out = await node(LIST, [JSON.stringify(STAGE_DIRS)]);
      if (out.exitCode !== 0) throw new KindTargetError(`could not list the volume: ${out.stderr}`);
      return JSON.parse(out.stdout) as DirListing;
    },
    async read(dir, fileName) {
      const out = await node(READ, [path.posix.join(dir, fileName)]);
      if (out.exitCode === NOT_FOUND) return undefined;
      if (out.exitCode !== 0) throw new KindTargetError(`could not read ${dir}/${fileName}: ${out.stderr}`);
      return Buffer.from(out.stdout, 'base64');
    },
    async triggerGetdata() {
      const job = `e2e-getdata-${Date.now().toString(36)}`;
      await kubectl(['create', 'job', job, '--from=cronjob/getdata']);
      try {
        await kubectlWait(['wait', '--for=condition=complete', `job/${job}`], `getdata Job ${job} did not complete`, `kubectl logs job/${job}`, { waitSeconds: 120 });
        return listedFrom((await kubectl(['logs', `job/${job}`])).stdout);
      } finally {
        await kubectl(['delete', 'job', job, '--ignore-not-found', '--wait=false'], { nothrow: true });
      }
    },
    apiReplicas: () => readyNames('api'),
    async forceDelete(service: Killable) {
      const pods = await readyNames(service);
      const victim = pods[Math.floor(Math.random() * pods.length)];
      if (!victim) throw new KindTargetError(`no ready pod of ${service} to kill`);
      // No grace period: the container gets SIGTERM and, with no time to act on it, SIGKILL, as
      // in a crash; the Deployment replaces the pod.
      await kubectl(['delete', 'pod', victim, '--grace-period=0', '--force', '--wait=false']);
      return victim;
    },
    async restart(stage, how) {
      const [pod] = await readyNames(stage);
      if (!pod) throw new KindTargetError(`no ready pod of ${stage} to restart`);
      if (how === 'rollout') await kubectl(['rollout', 'restart', `deployment/${stage}`]);
      // The default grace period: SIGTERM, then up to terminationGracePeriodSeconds to finish.
      else await kubectl(['delete', 'pod', pod], { waitSeconds: timeouts.start / 1000 });
      await expect.poll(async () => (await readyNames(stage)).filter((p) => p !== pod).length, { message: `a new ready ${stage} pod`, timeout: timeouts.start }).toBeGreaterThan(0);
      await rolledOut(stage);
      return pod;
    },
    async postMode(mode) {
      await kubectl(['set', 'env', 'deployment/json-to-api', `POST_MODE=${mode}`]);
      await rolledOut('json-to-api');
    },
    async reset() {
      await $({ cwd: path.resolve(import.meta.dirname, '..'), timeout: `${timeouts.reset / 1000}s` })`npm run reset -- --yes`;
    },
    dashboardUrl: async () => DASHBOARD_URL,
  };
}
