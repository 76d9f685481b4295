// The kind cluster itself: is it there, create it, its nodes, wait for them.
import { $ } from './shell.ts';
import { kind } from './config.ts';
import { kubectl, kubectlWait, requireContext } from './kube.ts';
import { NoClusterError } from './errors.ts';
import { kindConfig } from './paths.ts';

export async function clusterExists(): Promise<boolean> {
  return (await $({ timeout: '30s' })`kind get clusters`).lines().includes(kind.cluster);
}

/**
 * Creates the cluster from kind-config.yaml. kind makes its context the current one; the
 * user's current context is put back, so that their next plain `kubectl` goes where it went.
 */
export async function createCluster(): Promise<void> {
  const current = await kubectl(['config', 'current-context'], { nothrow: true });
  const image = kind.nodeImage ? ['--image', kind.nodeImage] : [];
  await $({ timeout: `${kind.waitSeconds + 120}s` })`kind create cluster --name ${kind.cluster} --config ${kindConfig} ${image}`;
  const previous = current.exitCode === 0 ? current.stdout.trim() : '';
  if (previous && previous !== kind.context) await kubectl(['config', 'use-context', previous]);
}

export async function nodeNames(): Promise<string[]> {
  return (await $({ timeout: '30s' })`kind get nodes --name ${kind.cluster}`).lines().filter(Boolean);
}

export async function waitNodesReady(): Promise<string> {
  const out = await kubectlWait(['wait', '--for=condition=Ready', 'nodes', '--all'], 'nodes not Ready', `kubectl --context ${kind.context} describe nodes`);
  const count = out.lines().filter(Boolean).length;
  return `${count} node${count === 1 ? '' : 's'} Ready`;
}

/** deploy's cluster step: create the cluster unless it exists, then wait for its nodes. */
export async function ensureCluster(): Promise<string> {
  const existed = await clusterExists();
  if (!existed) await createCluster();
  await requireContext();
  return `${existed ? 'exists' : 'created'} ${kind.cluster}, ${await waitNodesReady()}`;
}

/** The node containers of an existing cluster; fails with a hint when there is none. */
export async function clusterNodes(): Promise<string[]> {
  const nodes = (await clusterExists()) ? await nodeNames() : [];
  if (nodes.length === 0) throw new NoClusterError(`no cluster ${kind.cluster}`, 'npm run deploy creates it');
  return nodes;
}
