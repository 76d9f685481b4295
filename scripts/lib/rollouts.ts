// Waits for every pipeline Deployment to finish rolling out, each within WAIT_SECONDS.
import { kind } from './config.ts';
import { kubectl, kubectlWait } from './kube.ts';

export async function waitRollouts(): Promise<string> {
  const names = (await kubectl(['get', 'deployments', '--selector', `app.kubernetes.io/part-of=${kind.namespace}`, '--output', 'name'])).lines().filter(Boolean);
  for (const name of names) {
    await kubectlWait(['rollout', 'status', name], `${name} not rolled out`, `npm run status, or kubectl --context ${kind.context} -n ${kind.namespace} describe ${name}`);
  }
  return `${names.length} deployments rolled out`;
}
