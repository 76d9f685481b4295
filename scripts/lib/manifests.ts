// The manifests as the scripts use them: deploy applies an overlay that sets each image's
// content tag; reset reads the base for what the pipeline should look like.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { Image } from './images.ts';
import { kubectl } from './kube.ts';
import { manifests, overlayDir } from './paths.ts';

interface PodSpec {
  volumes?: { persistentVolumeClaim?: { claimName: string } }[];
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: {
    replicas?: number;
    template?: { spec: PodSpec };
    jobTemplate?: { spec: { template: { spec: PodSpec } } };
  };
}

/** Writes dist/deploy/kustomization.yaml over manifests/; the same images give the same file. */
export async function writeOverlay(images: Image[]): Promise<string> {
  await mkdir(overlayDir, { recursive: true });
  const overlay = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [path.relative(overlayDir, manifests)],
    images: images.map((i) => ({ name: i.name, newTag: i.tag })),
  };
  await writeFile(path.join(overlayDir, 'kustomization.yaml'), `# Written by npm run deploy.\n${stringify(overlay)}`);
  return overlayDir;
}

/** manifests/ rendered by kustomize, one object per document. */
export async function renderBase(): Promise<Manifest[]> {
  const out = await kubectl(['kustomize', manifests]);
  return parseAllDocuments(out.stdout).map((d) => d.toJS() as Manifest);
}

/** The claim, and the workloads that mount it: what reset stops, wipes and starts again. */
export interface ClaimUsers {
  claim: Manifest;
  deployments: { name: string; replicas: number }[];
  cronjobs: string[];
}

export function claimUsers(objects: Manifest[], claimName: string): ClaimUsers {
  const claim = objects.find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === claimName);
  if (!claim) throw new Error(`manifests/ has no PersistentVolumeClaim ${claimName}`);
  const mounts = (pod?: PodSpec) => (pod?.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claimName);
  return {
    claim,
    deployments: objects.filter((o) => o.kind === 'Deployment' && mounts(o.spec?.template?.spec)).map((o) => ({ name: o.metadata.name, replicas: o.spec?.replicas ?? 1 })),
    cronjobs: objects.filter((o) => o.kind === 'CronJob' && mounts(o.spec?.jobTemplate?.spec.template.spec)).map((o) => o.metadata.name),
  };
}
