// The Kubernetes API client's configuration, for what kubectl cannot do well: following many pods'
// logs, dev mode's checks of each pod. Kept apart from kube.ts because loading
// @kubernetes/client-node takes about a second, which every other script would pay at start.
import { KubeConfig } from '@kubernetes/client-node';
import { kind } from './config.ts';
import { noContext } from './kube.ts';

/**
 * The kubeconfig for @kubernetes/client-node, read as kubectl reads it (KUBECONFIG, else
 * ~/.kube/config) and pinned to the cluster's context as every kubectl call is: the current
 * context is never used, and a kubeconfig without ours is refused.
 */
export function kubeConfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromDefault();
  if (!config.getContextObject(kind.context)) throw noContext();
  config.setCurrentContext(kind.context);
  return config;
}
