// The `local-path` StorageClass the PVC asks for, beside kind's own provisioner (the reasons
// are in manifests/local-path-storage/kustomization.yaml):
// - the class exists: nothing to do;
// - kind's provisioner runs: add only the class, which kind's controller then serves;
// - no provisioner: install the vendored one whole and wait for it.
import { parseAllDocuments, stringify } from 'yaml';
import { kind } from './config.ts';
import { kubectl, kubectlWait } from './kube.ts';
import { localPathStorage } from './paths.ts';

const NAMESPACE = 'local-path-storage';
const PROVISIONER = 'local-path-provisioner';

export async function ensureStorage(): Promise<string> {
  if ((await kubectl(['get', 'storageclass', 'local-path'], { nothrow: true })).exitCode === 0) {
    return 'StorageClass local-path present';
  }
  const kinds = await kubectl(['get', 'deployment', PROVISIONER], { namespace: NAMESPACE, nothrow: true });
  if (kinds.exitCode === 0) {
    await kubectl(['apply', '--filename', '-'], { input: await storageClassOnly() });
    return `added StorageClass local-path, served by kind's ${PROVISIONER}`;
  }
  // Its objects live in their own namespace; kubectl refuses them under the pipeline's.
  await kubectl(['apply', '--kustomize', localPathStorage], { namespace: NAMESPACE });
  await kubectlWait(
    ['rollout', 'status', `deployment/${PROVISIONER}`],
    `${PROVISIONER} not ready`,
    `kubectl --context ${kind.context} -n ${NAMESPACE} describe pods (its image must be on the node or pullable)`,
    { namespace: NAMESPACE },
  );
  return `installed ${PROVISIONER} v0.0.37 and StorageClass local-path`;
}

async function storageClassOnly(): Promise<string> {
  const rendered = (await kubectl(['kustomize', localPathStorage])).stdout;
  const docs = parseAllDocuments(rendered).map((d) => d.toJS() as { kind?: string });
  return docs
    .filter((d) => d.kind === 'StorageClass')
    .map((d) => stringify(d))
    .join('---\n');
}
