// When a reload is done: every pod of the service answers /healthz with the new build, asked
// through the API server's pod proxy (no port-forward, and the api's NetworkPolicy admits it).
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { sleep } from 'zx';
import { DEFAULTS } from '../../../services/lib/config.ts';
import { kind } from '../config.ts';
import { TimeoutError } from '../errors.ts';
import { kubeConfig } from '../kube-client.ts';

const POLL_MS = 100;

export interface Served {
  serving: number;
  pods: number;
}

/** A pod the kubelet has given up on for a while: deleting it skips the back-off, and its replacement runs the new code. */
const crashLooping = (pod: V1Pod) => (pod.status?.containerStatuses ?? []).some((c) => c.state?.waiting?.reason === 'CrashLoopBackOff');

export function createServedCheck(api = kubeConfig().makeApiClient(CoreV1Api)) {
  const namespace = kind.namespace;
  const buildOf = async (pod: string): Promise<string | undefined> => {
    try {
      // Typed as a string, but client-node hands over a JSON answer already parsed.
      const body: unknown = await api.connectGetNamespacedPodProxyWithPath({ name: `${pod}:${DEFAULTS.port}`, namespace, path: 'healthz' });
      return ((typeof body === 'string' ? JSON.parse(body) : body) as { build?: string }).build;
    } catch {
      return undefined;
    }
  };

  /** How many of the service's pods serve `build` now. */
  async function count(service: string, build: string): Promise<Served> {
    const { items } = await api.listNamespacedPod({ namespace, labelSelector: `app.kubernetes.io/name=${service}` });
    const pods = items.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    for (const pod of pods.filter(crashLooping)) await api.deleteNamespacedPod({ name: pod.metadata!.name!, namespace }).catch(() => undefined);
    const builds = await Promise.all(pods.map((p) => buildOf(p.metadata!.name!)));
    return { serving: builds.filter((b) => b === build).length, pods: pods.length };
  }

  /** Waits until every pod of `service` serves `build`; a CronJob's service, with no pod running, is done at once. */
  async function wait(service: string, build: string, seconds: number): Promise<Served> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const served = await count(service, build);
      if (served.serving === served.pods) return served;
      if (Date.now() >= deadline)
        throw new TimeoutError(
          `${service}: ${served.serving}/${served.pods} pods serve build ${build} after ${seconds}s`,
          `its logs above say why; npm run status, or kubectl --context ${kind.context} -n ${kind.namespace} describe pods -l app.kubernetes.io/name=${service}`,
        );
      await sleep(POLL_MS);
    }
  }

  return { count, wait };
}
