// What runs and how to reach it: the end of deploy, the top of status.
import { kind } from './config.ts';
import { kubectlJson } from './kube.ts';

interface List<T> {
  items: T[];
}
interface Deployment {
  metadata: { name: string };
  spec: { replicas?: number };
  status: { readyReplicas?: number };
}
interface CronJob {
  metadata: { name: string };
  spec: { schedule: string; suspend?: boolean };
  status: { lastScheduleTime?: string; lastSuccessfulTime?: string };
}

const ago = (iso?: string) => (iso ? `${Math.round((Date.now() - Date.parse(iso)) / 1000)}s ago` : 'never');

export async function workloads(): Promise<string[]> {
  const selector = ['--selector', `app.kubernetes.io/part-of=${kind.namespace}`];
  const deployments = await kubectlJson<List<Deployment>>(['get', 'deployments', ...selector]);
  const cronjobs = await kubectlJson<List<CronJob>>(['get', 'cronjobs', ...selector]);
  const width = Math.max(0, ...[...deployments.items, ...cronjobs.items].map((w) => w.metadata.name.length));
  return [
    ...deployments.items.map((d) => `${d.metadata.name.padEnd(width)}  ${d.status.readyReplicas ?? 0}/${d.spec.replicas ?? 1} ready`),
    ...cronjobs.items.map(
      (c) =>
        `${c.metadata.name.padEnd(width)}  CronJob "${c.spec.schedule}"${c.spec.suspend ? ' (suspended)' : ''}, ` +
        `last run ${ago(c.status.lastScheduleTime)}, last success ${ago(c.status.lastSuccessfulTime)}`,
    ),
  ];
}

/** The api's /stats through the API server's service proxy: no port to open, no process to keep. */
export const statsPath = `/api/v1/namespaces/${kind.namespace}/services/api:http/proxy/stats`;

export function howToReach(): string[] {
  return [
    'dashboard   http://127.0.0.1:30081  (NodePort mapped by kind-config.yaml)',
    `api /stats  kubectl --context ${kind.context} get --raw ${statsPath}`,
    `api         kubectl --context ${kind.context} -n ${kind.namespace} port-forward service/api 8080:80  (then http://127.0.0.1:8080/stats)`,
  ];
}
