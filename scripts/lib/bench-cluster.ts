// What the Kind bench changes in the cluster, and how it puts each thing back: the pipeline
// Deployments' pod templates (posting mode, limits, fresh pods for every row), getdata's
// CronJob (suspended, so no listing of its own lands in a run), and a pod of the bench's own
// that reaches the volume (so its file work counts against no stage's limits). Also reads the
// kubelet's cAdvisor metrics.
import { sleep } from 'zx';
import { DATA_STAGES, SINK, SOURCE } from '../../services/lib/pipeline.ts';
import { parseCadvisor, type ContainerSample } from './bench-metrics.ts';
import { kind } from './config.ts';
import { kubectl, kubectlJson, kubectlWait } from './kube.ts';
import type { PodRef } from './volume.ts';
import { waitUntil } from './wait.ts';

/** The Deployments a listing passes through: their limits are the ones a run sets. */
export const BENCHED = [...DATA_STAGES, 'api'];

interface Container {
  name: string;
  image: string;
  env?: Array<{ name: string; value?: string }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  [field: string]: unknown;
}
export interface Template {
  metadata: { annotations?: Record<string, string>; [field: string]: unknown };
  spec: { containers: Container[]; [field: string]: unknown };
}

export interface RowSettings {
  mode: string;
  concurrency: number;
  limits: { cpu?: string; memory?: string };
  /** Names the row in an annotation, so that every row starts on fresh pods, as the local bench starts fresh processes. */
  row: string;
}

const HINT = `npm run status, or kubectl --context ${kind.context} -n ${kind.namespace} get pods`;
const ROW_ANNOTATION = 'k8s-pipe.local/bench-row';

/** Each benched Deployment's pod template as found, to run rows from and to put back. */
export async function saveTemplates(): Promise<Map<string, Template>> {
  const saved = new Map<string, Template>();
  for (const name of BENCHED) saved.set(name, (await kubectlJson<{ spec: { template: Template } }>(['get', 'deployment', name])).spec.template);
  return saved;
}

/** The template a row runs: the saved one with the row's limits, and for the sink the posting mode, its concurrency and per-document logs at debug, as the local bench runs it. */
export function rowTemplate(saved: Template, deployment: string, s: RowSettings): Template {
  const t = structuredClone(saved);
  t.metadata.annotations = { ...t.metadata.annotations, [ROW_ANNOTATION]: s.row };
  for (const c of t.spec.containers.filter((c) => c.name === deployment)) {
    c.resources = { ...c.resources, limits: { ...c.resources?.limits, ...s.limits } };
    if (deployment !== SINK.name) continue;
    const set = { POST_MODE: s.mode, CONCURRENCY: String(s.concurrency), DOC_LOG_LEVEL: 'debug' };
    c.env = [...(c.env ?? []).filter((e) => !(e.name in set)), ...Object.entries(set).map(([name, value]) => ({ name, value }))];
  }
  return t;
}

/** Replaces each Deployment's pod template and waits for every rollout, each within WAIT_SECONDS. */
export async function applyTemplates(templates: Map<string, Template>): Promise<void> {
  for (const [name, template] of templates) {
    await kubectl(['patch', 'deployment', name, '--type', 'json', '--patch', JSON.stringify([{ op: 'replace', path: '/spec/template', value: template }])]);
  }
  for (const name of templates.keys()) {
    await kubectlWait(['rollout', 'status', `deployment/${name}`], `deployment/${name} not rolled out`, HINT);
  }
}

/** "requests cpu 50m memory 64Mi, limits cpu 500m memory 256Mi" of a Deployment's own container. */
export function resourcesOf(t: Template, deployment: string): string {
  const r = t.spec.containers.find((c) => c.name === deployment)?.resources ?? {};
  const show = (q?: Record<string, string>) => (q ? `cpu ${q.cpu ?? 'none'} memory ${q.memory ?? 'none'}` : 'none');
  return `requests ${show(r.requests)}, limits ${show(r.limits)}`;
}

/** Suspends getdata's CronJob and waits for a run in progress to end; resolves with how it was, for resumeSource. */
export async function suspendSource(): Promise<boolean> {
  const was = (await kubectlJson<{ spec: { suspend?: boolean } }>(['get', 'cronjob', SOURCE.name])).spec.suspend ?? false;
  await kubectl(['patch', 'cronjob', SOURCE.name, '--type', 'merge', '--patch', JSON.stringify({ spec: { suspend: true } })]);
  await waitUntil(
    async () => {
      const active = (await kubectlJson<{ status: { active?: unknown[] } }>(['get', 'cronjob', SOURCE.name])).status.active?.length ?? 0;
      return active === 0 ? undefined : `${active} run(s) still active`;
    },
    `${SOURCE.name}'s run in progress did not end`,
    HINT,
  );
  return was;
}

export async function resumeSource(was: boolean): Promise<void> {
  await kubectl(['patch', 'cronjob', SOURCE.name, '--type', 'merge', '--patch', JSON.stringify({ spec: { suspend: was } })]);
}

const DOOR = 'bench-door';

/** The bench's own pod: a stage's pod template (its security context, volume and limits) running an idle node. */
export async function openDoor(stage: Template): Promise<PodRef> {
  const c = stage.spec.containers[0]!;
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: DOOR, labels: { 'app.kubernetes.io/name': DOOR } },
    spec: {
      ...stage.spec,
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: DOOR,
          image: c.image,
          imagePullPolicy: c.imagePullPolicy,
          securityContext: c.securityContext,
          env: c.env,
          volumeMounts: c.volumeMounts,
          resources: c.resources,
          command: ['node', '-e', 'setInterval(() => {}, 2 ** 30)'],
        },
      ],
    },
  };
  await kubectl(['apply', '--filename', '-'], { input: JSON.stringify(pod) });
  await kubectlWait(['wait', '--for=condition=Ready', `pod/${DOOR}`], `pod/${DOOR} not ready`, HINT);
  return { name: DOOR, container: DOOR };
}

export async function closeDoor(): Promise<void> {
  await kubectl(['delete', 'pod', DOOR, '--ignore-not-found', '--wait=true'], { waitSeconds: kind.waitSeconds });
}

/** The nodes, to read each one's kubelet, and their cores. */
export async function nodes(): Promise<{ names: string[]; cores: number }> {
  const list = await kubectlJson<{ items: Array<{ metadata: { name: string }; status: { capacity: { cpu: string } } }> }>(['get', 'nodes']);
  return { names: list.items.map((n) => n.metadata.name), cores: list.items.reduce((sum, n) => sum + Number(n.status.capacity.cpu), 0) };
}

/** Every node's cAdvisor metrics for the pipeline's namespace, through the API server's node proxy. */
export async function cadvisor(nodeNames: string[]): Promise<Map<string, ContainerSample>> {
  const all = new Map<string, ContainerSample>();
  for (const node of nodeNames) {
    const text = (await kubectl(['get', '--raw', `/api/v1/nodes/${node}/proxy/metrics/cadvisor`])).stdout;
    for (const [pod, s] of parseCadvisor(text, kind.namespace)) all.set(pod, s);
  }
  return all;
}

/** A reading in which cAdvisor has read every one of `pods` at `sinceMs` or later: it reads each cgroup only every 10 to 15 s. */
export async function freshCadvisor(nodeNames: string[], pods: string[], sinceMs: number): Promise<Map<string, ContainerSample>> {
  let fresh: Map<string, ContainerSample> | undefined;
  await waitUntil(
    async () => {
      const read = await cadvisor(nodeNames);
      const stale = pods.filter((p) => (read.get(p)?.atMs ?? 0) < sinceMs);
      if (stale.length === 0) fresh = read;
      return stale.length === 0 ? undefined : `not yet read again: ${stale.join(', ')}`;
    },
    'the kubelet did not report fresh metrics',
    HINT,
    45,
  );
  return fresh!;
}

// cAdvisor has a new reading of a container every 10 to 15 s; asking more often only loads the machine.
const SAMPLE_MS = 3000;

/** Reads the metrics every few seconds until stopped; the working set has no peak of its own, so its peak is the highest sample. */
export function sampleDuring(nodeNames: string[]): { stop(): Promise<Array<Map<string, ContainerSample>>> } {
  let running = true;
  const samples: Array<Map<string, ContainerSample>> = [];
  const loop = (async () => {
    while (running) {
      // A reading that fails (the API server busy) is one sample fewer, not a failed run.
      samples.push(await cadvisor(nodeNames).catch(() => new Map<string, ContainerSample>()));
      await sleep(SAMPLE_MS);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}
