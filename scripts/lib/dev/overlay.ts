// Dev mode's overlay: the manifests as deploy applies them, plus a read-only volume of the code
// on disk, from which each container's supervisor runs its service's bundle.
//
// Why this path: the pods keep the production security context (uid 1000, read-only root,
// Pod Security `restricted`), so nothing can be written into a container. The bundles are copied
// into a folder of the node instead (`docker cp`, which works the same on Docker Desktop's VM),
// and reach the pods through a PersistentVolume of that folder, bound only to the claim
// `dev-code` that each pod mounts read-only. `restricted` forbids a hostPath volume in a pod,
// not a claim bound to one. A new bundle arrives by rename, so a pod never reads half of one.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { SERVICES } from '../../../services/lib/pipeline.ts';
import { kind } from '../config.ts';
import type { Image } from '../images.ts';
import { kubectl, kubectlJson, kubectlWait } from '../kube.ts';
import { writeOverlay } from '../manifests.ts';
import { devOverlayDir, SUPERVISOR } from '../paths.ts';

/** The folder of each node that holds the bundles. */
export const NODE_DIR = '/var/lib/k8s-pipe-dev';
/** Where the pods see it. */
const MOUNT = '/dev-code';
export const DEV_CLAIM = 'dev-code';
export const DEV_VOLUME = 'k8s-pipe-dev-code';
/** No such class exists: only the claim that names it and this volume can bind. */
const DEV_CLASS = 'k8s-pipe-dev';
const labels = { 'app.kubernetes.io/part-of': kind.namespace, 'app.kubernetes.io/component': 'dev-code' };
const SIZE = '100Mi';

const volume = {
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: DEV_VOLUME, labels },
  spec: {
    capacity: { storage: SIZE },
    accessModes: ['ReadOnlyMany'],
    persistentVolumeReclaimPolicy: 'Retain',
    storageClassName: DEV_CLASS,
    claimRef: { namespace: kind.namespace, name: DEV_CLAIM },
    hostPath: { path: NODE_DIR, type: 'Directory' },
  },
};

const claim = {
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: DEV_CLAIM, namespace: kind.namespace, labels },
  spec: { accessModes: ['ReadOnlyMany'], storageClassName: DEV_CLASS, volumeName: DEV_VOLUME, resources: { requests: { storage: SIZE } } },
};

interface Container {
  name: string;
  command?: string[];
  volumeMounts?: object[];
}
interface PodSpec {
  containers: Container[];
  volumes?: object[];
}
interface Workload {
  kind: string;
  metadata: { name: string };
  spec: { template?: { spec: PodSpec }; jobTemplate?: { spec: { template: { spec: PodSpec } } } };
}

/** Runs the service's container from the dev-code volume under the supervisor; the rest of the pod stays as deployed. */
export function runFromDevCode(workload: Workload): void {
  const service = workload.metadata.name;
  const pod = workload.kind === 'CronJob' ? workload.spec.jobTemplate?.spec.template.spec : workload.spec.template?.spec;
  const container = pod?.containers.find((c) => c.name === service);
  if (!pod || !container) throw new Error(`${workload.kind} ${service} has no container ${service}`);
  pod.volumes = [...(pod.volumes ?? []), { name: DEV_CLAIM, persistentVolumeClaim: { claimName: DEV_CLAIM, readOnly: true } }];
  container.command = ['node', `${MOUNT}/${SUPERVISOR}.mjs`, `${MOUNT}/${service}/main.mjs`];
  container.volumeMounts = [...(container.volumeMounts ?? []), { name: DEV_CLAIM, mountPath: MOUNT, readOnly: true }];
}

/**
 * Writes dist/dev/deploy: deploy's overlay with these images, rendered, each service's workload
 * run from the dev-code volume, and the volume and its claim. The changes are made to the
 * rendered objects, not by kustomize patches: a patch re-reads the fields pod-defaults/ copies
 * in as strings, which the API server then refuses ("false" for a boolean).
 */
export async function writeDevOverlay(images: Image[]): Promise<string> {
  const rendered = (await kubectl(['kustomize', await writeOverlay(images)])).stdout;
  const objects = parseAllDocuments(rendered).map((d) => d.toJS() as Workload);
  for (const o of objects) if ((o.kind === 'Deployment' || o.kind === 'CronJob') && (SERVICES as readonly string[]).includes(o.metadata.name)) runFromDevCode(o);
  await mkdir(devOverlayDir, { recursive: true });
  await writeFile(path.join(devOverlayDir, 'pipeline.yaml'), [...objects, volume, claim].map((o) => stringify(o)).join('---\n'));
  const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['pipeline.yaml'] };
  await writeFile(path.join(devOverlayDir, 'kustomization.yaml'), `# Written by npm run dev.\n${stringify(kustomization)}`);
  return devOverlayDir;
}

interface PodList {
  items: { metadata: { name: string }; spec?: { volumes?: { persistentVolumeClaim?: { claimName: string } }[] }; status?: { phase?: string } }[];
}

/**
 * Finished pods still count as users of a claim and hold its deletion: the CronJob's runs in dev
 * mode, kept as its history. They are deleted with it.
 */
async function deleteFinishedUsers(): Promise<void> {
  const pods = await kubectlJson<PodList>(['get', 'pods']);
  const finished = pods.items
    .filter((p) => ['Succeeded', 'Failed'].includes(p.status?.phase ?? '') && (p.spec?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === DEV_CLAIM))
    .map((p) => `pod/${p.metadata.name}`);
  if (finished.length > 0) await kubectl(['delete', ...finished, '--ignore-not-found', '--wait=false']);
}

/**
 * Back to image mode, after deploy's apply has put the workloads back on their images: the claim
 * and the volume go (each waits, by its finalizer, for the pods still using it to be gone).
 * Resolves with a note when there was anything to remove.
 */
export async function removeDevCode(): Promise<string | undefined> {
  await deleteFinishedUsers();
  const out = await kubectl(['delete', `persistentvolumeclaim/${DEV_CLAIM}`, `persistentvolume/${DEV_VOLUME}`, '--ignore-not-found', '--wait=false']);
  return out.stdout.trim() ? 'left dev mode: the pods run their images again' : undefined;
}

/**
 * Dev mode's apply needs a claim that is not on its way out, which it is for a while after a
 * deploy: a pod given a claim being deleted never starts. Waits, within WAIT_SECONDS, until it is gone.
 */
export async function awaitDevCodeGone(): Promise<void> {
  const leaving = async (object: string) => (await kubectl(['get', object, '--ignore-not-found', '--output', 'jsonpath={.metadata.deletionTimestamp}'])).stdout.trim() !== '';
  const objects = [`persistentvolumeclaim/${DEV_CLAIM}`, `persistentvolume/${DEV_VOLUME}`];
  if (!(await leaving(objects[0]!)) && !(await leaving(objects[1]!))) return;
  await deleteFinishedUsers();
  await kubectlWait(
    ['wait', '--for=delete', ...objects],
    `${DEV_CLAIM} still being deleted`,
    `kubectl --context ${kind.context} -n ${kind.namespace} describe persistentvolumeclaim ${DEV_CLAIM} (Used By names what holds it)`,
  );
}
