import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { ICronJob } from 'kubernetes-models/batch/v1';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IConfigMap, INamespace, IPersistentVolumeClaim, IService } from 'kubernetes-models/v1';
import { parse, parseAllDocuments } from 'yaml';
import { SERVICES, type Image } from '../lib/images.ts';
import { writeOverlay } from '../lib/manifests.ts';
import { dockerfile, kindConfig, localPathStorage, manifests } from '../lib/paths.ts';
import { API, DATA_STAGES, SOURCE } from '../../services/lib/pipeline.ts';
import { MALLOC_ARENAS, STREAMING_NODE_OPTIONS } from '../local/pipeline.ts';
import { podTemplate } from './policy.ts';
import { render, type K8sObject } from './render.ts';
import { schemaProblem } from './schemas.ts';

const objects = render(manifests);

interface Kinds {
  ConfigMap: IConfigMap;
  CronJob: ICronJob;
  Deployment: IDeployment;
  Namespace: INamespace;
  NetworkPolicy: INetworkPolicy;
  PersistentVolumeClaim: IPersistentVolumeClaim;
  PodDisruptionBudget: IPodDisruptionBudget;
  Service: IService;
}

/** The object of that kind (and name, when given), typed as the Kubernetes API models it. */
function find<K extends keyof Kinds>(kind: K, name?: string, from: K8sObject[] = objects): Kinds[K] {
  const o = from.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new Error(`no ${kind}/${name ?? '*'} among the rendered objects`);
  return o as unknown as Kinds[K];
}
const names = (kind: string) =>
  objects
    .filter((o) => o.kind === kind)
    .map((o) => o.metadata.name)
    .sort();

describe('manifests/', () => {
  it('when kustomize renders it, then it holds the whole pipeline in namespace k8s-pipe', () => {
    expect(names('Deployment')).toEqual(SERVICES.filter((s) => s !== SOURCE.name).sort());
    expect(names('CronJob')).toEqual([SOURCE.name]);
    expect(names('Service')).toEqual(['api', 'dashboard']);
    expect(names('PersistentVolumeClaim')).toEqual(['storage']);
    expect(names('PodDisruptionBudget')).toEqual(['api']);
    expect(names('NetworkPolicy')).toEqual(['api']);
    expect(objects.filter((o) => o.kind !== 'Namespace').every((o) => o.metadata.namespace === 'k8s-pipe')).toBe(true);
  });

  it('when every object is checked against the Kubernetes API schemas, then all are valid', () => {
    const problems = [...objects, ...render(localPathStorage)].map((o) => [`${o.kind}/${o.metadata.name}`, schemaProblem(o)]);
    expect(problems.filter(([, p]) => p)).toEqual([]);
  });

  it('when a service is named, then folder, image, workload, label, container and Service use that one name', () => {
    const workloads = objects.filter((o) => podTemplate(o));
    expect(workloads.map((o) => o.metadata.name).sort()).toEqual([...SERVICES].sort());
    for (const o of workloads) {
      const pod = podTemplate(o)!;
      expect(o.metadata.labels?.['app.kubernetes.io/name']).toBe(o.metadata.name);
      expect(pod.metadata?.labels?.['app.kubernetes.io/name']).toBe(o.metadata.name);
      expect(pod.spec.containers.map((c) => [c.name, c.image?.split(':')[0]])).toEqual([[o.metadata.name, `k8s-pipe/${o.metadata.name}`]]);
    }
    for (const name of names('Service')) expect(find('Service', name).spec?.selector).toEqual({ 'app.kubernetes.io/name': name });
  });

  it('when the namespace is created, then Pod Security enforces the restricted profile', () => {
    expect(find('Namespace', 'k8s-pipe').metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it('when the claim is made, then it is ReadWriteOnce on local-path and every data pod mounts it', () => {
    const claim = find('PersistentVolumeClaim', 'storage');
    expect(claim.spec).toMatchObject({ storageClassName: 'local-path', accessModes: ['ReadWriteOnce'] });
    for (const name of SERVICES.filter((s) => s !== API.name)) {
      const o = objects.find((x) => x.metadata.name === name && podTemplate(x))!;
      expect(podTemplate(o)!.spec).toMatchObject({ volumes: [{ persistentVolumeClaim: { claimName: 'storage' } }] });
    }
    const dashboard = find('Deployment', 'dashboard').spec?.template.spec;
    expect(dashboard?.containers[0]?.volumeMounts?.[0]?.readOnly).toBe(true);
  });

  it('when getdata is scheduled, then it runs each minute, never overlapping, once per Job', () => {
    const cron = find('CronJob', 'getdata').spec;
    expect(cron).toMatchObject({ schedule: '*/1 * * * *', concurrencyPolicy: 'Forbid', suspend: false });
    expect(cron?.successfulJobsHistoryLimit).toBeGreaterThan(0);
    expect(cron?.failedJobsHistoryLimit).toBeGreaterThan(0);
    expect(cron?.startingDeadlineSeconds).toBeLessThan(60);
    const env = cron?.jobTemplate.spec?.template.spec?.containers[0]?.env?.map((e) => e.name);
    expect(env).not.toContain('SCHEDULE');
  });

  it('when the api is deployed, then 3 spread replicas sit behind Service api:80, a PDB and a NetworkPolicy', () => {
    const api = find('Deployment', 'api').spec;
    expect(api?.replicas).toBe(3);
    expect(api?.template.spec?.topologySpreadConstraints?.[0]).toMatchObject({
      topologyKey: 'kubernetes.io/hostname',
      labelSelector: { matchLabels: { 'app.kubernetes.io/name': 'api' } },
    });
    expect(find('Service', 'api').spec?.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http' }]);
    expect(find('PodDisruptionBudget', 'api').spec?.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'api' } });
    const policy = find('NetworkPolicy', 'api').spec;
    expect(policy?.podSelector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'api' } });
    expect(policy?.policyTypes).toEqual(['Ingress']);
    const allowed = policy?.ingress?.flatMap((rule) => rule.from?.map((f) => f.podSelector?.matchLabels?.['app.kubernetes.io/name']) ?? []) ?? [];
    expect(allowed.sort()).toEqual(['dashboard', 'json-to-api']);
  });

  it('when local mode runs a stage, then it gets the NODE_OPTIONS of its pod and the MALLOC_ARENA_MAX of its image', () => {
    for (const name of DATA_STAGES) {
      const env = find('Deployment', name).spec?.template.spec?.containers[0]?.env ?? [];
      expect(env.find((e) => e.name === 'NODE_OPTIONS')?.value, name).toBe(STREAMING_NODE_OPTIONS);
    }
    expect(/^ENV MALLOC_ARENA_MAX=(\S+)$/m.exec(readFileSync(dockerfile, 'utf8'))?.[1]).toBe(MALLOC_ARENAS);
  });

  it('when deploy writes its overlay, then kustomize renders every service with its content tag', async () => {
    const images: Image[] = SERVICES.map((service) => ({ service, name: `k8s-pipe/${service}`, tag: `0123456789ab`, ref: '' }));
    const rendered = render(await writeOverlay(images));
    const used = rendered.flatMap((o) => podTemplate(o)?.spec.containers.map((c) => c.image) ?? []);
    expect(used.sort()).toEqual(SERVICES.map((s) => `k8s-pipe/${s}:0123456789ab`).sort());
  });
});

describe("manifests/ workloads' own files", () => {
  // What manifests/pod-defaults/ copies into every workload, as YAML keys and env names.
  const SHARED =
    /^\s*(?:-\s+)?(?:securityContext|readinessProbe|livenessProbe|resources|imagePullPolicy|automountServiceAccountToken|ports|strategy|name: (?:PORT|POD_NAME|NODE_OPTIONS|DATA_DIR)$|mountPath|claimName)/m;

  it.each(SERVICES)('when %s.yaml is read, then it repeats none of the pod settings every workload shares', (service) => {
    const own = readFileSync(path.join(manifests, `${service}.yaml`), 'utf8').split('---')[0]!;
    expect(SHARED.exec(own)?.[0]).toBeUndefined();
  });
});

describe('kind-config.yaml', () => {
  const config = parse(readFileSync(kindConfig, 'utf8'));

  it('when kind reads it, then it makes one control-plane node named k8s-pipe', () => {
    expect(config).toMatchObject({ kind: 'Cluster', apiVersion: 'kind.x-k8s.io/v1alpha4', name: 'k8s-pipe' });
    expect(config.nodes.map((n: { role: string }) => n.role)).toEqual(['control-plane']);
  });

  it("when the dashboard's NodePort is mapped, then only the host's loopback reaches it", () => {
    const nodePort = find('Service', 'dashboard').spec?.ports?.[0]?.nodePort;
    expect(config.nodes[0].extraPortMappings).toEqual([{ containerPort: nodePort, hostPort: nodePort, listenAddress: '127.0.0.1', protocol: 'TCP' }]);
  });

  it('when the host is cgroup v1, then the kubelet is told not to refuse it', () => {
    const patches = config.kubeadmConfigPatches.map((p: string) => parse(p));
    expect(patches).toContainEqual({ kind: 'KubeletConfiguration', failCgroupV1: false });
  });
});

describe('manifests/local-path-storage', () => {
  it('when the vendored file is read, then it is upstream v0.0.37 byte for byte', () => {
    const vendored = readFileSync(path.join(localPathStorage, 'local-path-storage.yaml'));
    const recorded = readFileSync(path.join(localPathStorage, 'kustomization.yaml'), 'utf8').match(/sha256 ([0-9a-f]{64})/)?.[1];
    expect(createHash('sha256').update(vendored).digest('hex')).toBe(recorded);
  });

  it('when it is rendered, then the provisioner and its helper are pinned and pulled only when missing', () => {
    const rendered = render(localPathStorage);
    const provisioner = find('Deployment', undefined, rendered);
    expect(provisioner.spec?.template.spec?.containers[0]).toMatchObject({
      image: 'docker.io/rancher/local-path-provisioner:v0.0.37',
      imagePullPolicy: 'IfNotPresent',
    });
    const config = find('ConfigMap', undefined, rendered);
    const helper = parseAllDocuments(config.data?.['helperPod.yaml'] ?? '')[0]!.toJS();
    expect(helper.spec.containers[0]).toMatchObject({ image: 'docker.io/library/busybox:1.37.0', imagePullPolicy: 'IfNotPresent' });
    expect(rendered.find((o) => o.kind === 'StorageClass')).toMatchObject({ metadata: { name: 'local-path' }, provisioner: 'rancher.io/local-path' });
  });
});
