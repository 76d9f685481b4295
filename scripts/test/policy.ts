// The rules every pipeline container must follow (issue: probes, limits, the restricted
// security settings, POD_NAME, labels, pinned images). Returns one line per violation, so a
// test can both demand none and show that a broken manifest is caught.
import type { K8sObject } from './render.ts';

export interface Container {
  name: string;
  image?: string;
  imagePullPolicy?: string;
  env?: { name: string; valueFrom?: { fieldRef?: { fieldPath?: string } } }[];
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: SecurityContext;
}
interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { drop?: string[] };
  seccompProfile?: { type?: string };
}
export interface PodTemplate {
  metadata?: { labels?: Record<string, string> };
  spec: { containers: Container[]; initContainers?: Container[]; securityContext?: SecurityContext; terminationGracePeriodSeconds?: number };
}

const LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/part-of', 'app.kubernetes.io/component'];

/** The pod template of a workload, wherever its kind keeps it. */
export function podTemplate(o: K8sObject): PodTemplate | undefined {
  const spec = o.spec as { template?: PodTemplate; jobTemplate?: { spec: { template: PodTemplate } } } | undefined;
  if (o.kind === 'CronJob') return spec?.jobTemplate?.spec.template;
  return ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(o.kind) ? spec?.template : undefined;
}

/** An image pinned to a tag other than latest (or a digest), pulled only when missing. */
export function imageProblems(where: string, image: string | undefined, pullPolicy: string | undefined): string[] {
  const problems: string[] = [];
  const tag = image?.includes('@') ? 'digest' : image?.split('/').pop()?.split(':')[1];
  if (!tag || tag === 'latest') problems.push(`${where}: image ${image} is not pinned to a tag`);
  if (pullPolicy !== 'IfNotPresent') problems.push(`${where}: imagePullPolicy is ${pullPolicy}, not IfNotPresent`);
  return problems;
}

export function containerProblems(o: K8sObject): string[] {
  const pod = podTemplate(o);
  if (!pod) return [];
  const problems: string[] = [];
  for (const [where, labels] of [
    [`${o.kind}/${o.metadata.name}`, o.metadata.labels],
    [`${o.kind}/${o.metadata.name} pod template`, pod.metadata?.labels],
  ] as const) {
    for (const label of LABELS) if (!labels?.[label]) problems.push(`${where}: missing label ${label}`);
  }
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    const where = `${o.kind}/${o.metadata.name} container ${c.name}`;
    const sc = { ...pod.spec.securityContext, ...c.securityContext };
    const fail = (problem: string) => problems.push(`${where}: ${problem}`);
    problems.push(...imageProblems(where, c.image, c.imagePullPolicy));
    if (!c.readinessProbe) fail('no readinessProbe');
    if (!c.livenessProbe) fail('no livenessProbe');
    for (const kind of ['requests', 'limits'] as const) {
      for (const resource of ['cpu', 'memory']) if (c.resources?.[kind]?.[resource] === undefined) fail(`no ${resource} ${kind}`);
    }
    if (sc.runAsNonRoot !== true) fail('runAsNonRoot is not true');
    if (sc.runAsUser !== 1000) fail('runAsUser is not 1000');
    if (sc.readOnlyRootFilesystem !== true) fail('readOnlyRootFilesystem is not true');
    if (sc.allowPrivilegeEscalation !== false) fail('allowPrivilegeEscalation is not false');
    if (!sc.capabilities?.drop?.includes('ALL')) fail('capabilities do not drop ALL');
    if (sc.seccompProfile?.type !== 'RuntimeDefault') fail('seccompProfile is not RuntimeDefault');
    const podName = c.env?.find((e) => e.name === 'POD_NAME');
    if (podName?.valueFrom?.fieldRef?.fieldPath !== 'metadata.name') fail('POD_NAME does not come from the downward API');
  }
  return problems;
}
