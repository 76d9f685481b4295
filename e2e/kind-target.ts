// The kind target: the cluster `npm run deploy` made, driven with kubectl pinned to its context
// and namespace (scripts/lib/kube.ts). Files go in and out of the shared volume through a pod
// that mounts it (scripts/lib/volume.ts), as the canary's do.
import path from 'node:path';
import { expect } from '@playwright/test';
import { ScriptError } from '../scripts/lib/errors.ts';
import { kubectl, kubectlWait, requireContext } from '../scripts/lib/kube.ts';
import { $ } from '../scripts/lib/shell.ts';
import { readyPods, volumeDoor } from '../scripts/lib/volume.ts';
import { listedFrom } from './listed.ts';
import { timeouts } from './settings.ts';
import type { DataStage, Killable, Target } from './target.ts';

// The NodePort that kind-config.yaml maps to the host's loopback.
const DASHBOARD_URL = 'http://127.0.0.1:30081';

class KindTargetError extends Error {
  override name = 'KindTargetError';
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
  const volume = volumeDoor();
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
    drop: (fileName, content) => volume.drop(fileName, content),
    files: () => volume.files(),
    read: (dir, fileName) => volume.read(dir, fileName),
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
