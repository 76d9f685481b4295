// The kubelet's cAdvisor metrics (/api/v1/nodes/<node>/proxy/metrics/cadvisor, Prometheus text)
// read into per-pod figures for the Kind bench, and the judgement of which limit bounds each.
// cAdvisor rather than the Summary API: besides CPU seconds and working set it gives the CFS
// throttling counters and, on the cgroup v1 nodes kind runs here, the cgroup's own memory peak
// (memory.max_usage_in_bytes), so a peak is not missed between two samples.

/** One container's counters at one moment, as cAdvisor last read them. */
export interface ContainerSample {
  pod: string;
  container: string;
  /** When cAdvisor read the cgroup (ms since the epoch); it reads each one every 10 to 15 s. */
  atMs: number;
  cpuSeconds: number;
  periods: number;
  throttledPeriods: number;
  throttledSeconds: number;
  /** The cgroup's peak usage since the container started, page cache included. */
  maxUsageBytes: number;
  workingSetBytes: number;
  /** Cores the CFS quota allows; undefined without a CPU limit. */
  cpuLimitCores?: number;
  /** Undefined without a memory limit. */
  memoryLimitBytes?: number;
}

const WANTED = {
  container_cpu_usage_seconds_total: 'cpuSeconds',
  container_cpu_cfs_periods_total: 'periods',
  container_cpu_cfs_throttled_periods_total: 'throttledPeriods',
  container_cpu_cfs_throttled_seconds_total: 'throttledSeconds',
  container_memory_max_usage_bytes: 'maxUsageBytes',
  container_memory_working_set_bytes: 'workingSetBytes',
  container_spec_cpu_quota: 'quota',
  container_spec_cpu_period: 'period',
  container_spec_memory_limit_bytes: 'memoryLimit',
} as const;
type Field = (typeof WANTED)[keyof typeof WANTED];

const LINE = /^(\w+)\{([^}]*)\} (\S+)(?: (\d+))?$/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** The application containers of `namespace`, by pod name: the pod's own cgroup and its pause container (both container="") are left out. */
export function parseCadvisor(text: string, namespace: string): Map<string, ContainerSample> {
  type Entry = Partial<Record<Field, number>> & { container: string; atMs: number };
  const raw = new Map<string, Entry>();
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const field = WANTED[m[1] as keyof typeof WANTED];
    if (!field) continue;
    const labels = Object.fromEntries([...m[2]!.matchAll(LABEL)].map((l) => [l[1], l[2]]));
    if (labels.namespace !== namespace || !labels.container || !labels.pod) continue;
    const entry: Entry = raw.get(labels.pod) ?? { container: labels.container, atMs: 0 };
    entry[field] = Number(m[3]);
    if (m[4]) entry.atMs = Math.max(entry.atMs, Number(m[4]));
    raw.set(labels.pod, entry);
  }
  const out = new Map<string, ContainerSample>();
  for (const [pod, e] of raw) {
    out.set(pod, {
      pod,
      container: e.container,
      atMs: e.atMs,
      cpuSeconds: e.cpuSeconds ?? 0,
      periods: e.periods ?? 0,
      throttledPeriods: e.throttledPeriods ?? 0,
      throttledSeconds: e.throttledSeconds ?? 0,
      maxUsageBytes: e.maxUsageBytes ?? 0,
      workingSetBytes: e.workingSetBytes ?? 0,
      // cAdvisor reports no quota line, or 0, for a container without a CPU limit, and 0 for no memory limit.
      cpuLimitCores: e.quota && e.period ? e.quota / e.period : undefined,
      memoryLimitBytes: e.memoryLimit || undefined,
    });
  }
  return out;
}

/** What one pod did over a run: counter deltas between two samples, and its memory peaks. */
export interface PodFigures {
  pod: string;
  container: string;
  cpuSeconds: number;
  /** Share of the CFS periods in which the container ran into its quota. */
  throttledShare: number;
  throttledSeconds: number;
  /** The cgroup's own peak since the pod started (the pods start fresh for each row). */
  peakUsageBytes: number;
  /** The highest working set among the samples taken during the run: a sampled peak. */
  sampledPeakWorkingSetBytes: number;
  /** CPU seconds the pod used idle, between the readings but outside the run, taken off `cpuSeconds`. */
  idleSeconds: number;
  cpuLimitCores?: number;
  memoryLimitBytes?: number;
}

/**
 * A run between two readings that span more than it (cAdvisor reads a pod every 10 to 15 s): how
 * long it took, and each pod's CPU use while idle (cores), to take off the rest of the span.
 */
export interface Run {
  seconds: number;
  idleCores: Map<string, number>;
}

/** Each pod's CPU use (cores) between two readings with nothing running in between. */
export function idleCores(from: Map<string, ContainerSample>, to: Map<string, ContainerSample>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [pod, end] of to) {
    const start = from.get(pod);
    if (start && end.atMs > start.atMs) out.set(pod, Math.max(0, (end.cpuSeconds - start.cpuSeconds) / ((end.atMs - start.atMs) / 1000)));
  }
  return out;
}

/**
 * Each pod present at both ends; `during` are the samples taken in between, for the working set.
 * Given the `run`, the CPU a pod used idle over the rest of the span is taken off.
 */
export function podFigures(before: Map<string, ContainerSample>, after: Map<string, ContainerSample>, during: Array<Map<string, ContainerSample>> = [], run?: Run): PodFigures[] {
  const out: PodFigures[] = [];
  for (const [pod, end] of after) {
    const start = before.get(pod);
    if (!start) continue;
    const periods = end.periods - start.periods;
    const cpuSeconds = end.cpuSeconds - start.cpuSeconds;
    const outsideRun = run ? Math.max(0, (end.atMs - start.atMs) / 1000 - run.seconds) : 0;
    const idleSeconds = Math.min(cpuSeconds, (run?.idleCores.get(pod) ?? 0) * outsideRun);
    out.push({
      pod,
      container: end.container,
      cpuSeconds: cpuSeconds - idleSeconds,
      idleSeconds,
      throttledShare: periods > 0 ? (end.throttledPeriods - start.throttledPeriods) / periods : 0,
      throttledSeconds: end.throttledSeconds - start.throttledSeconds,
      peakUsageBytes: end.maxUsageBytes,
      sampledPeakWorkingSetBytes: Math.max(end.workingSetBytes, ...during.map((s) => s.get(pod)?.workingSetBytes ?? 0)),
      cpuLimitCores: end.cpuLimitCores,
      memoryLimitBytes: end.memoryLimitBytes,
    });
  }
  return out.sort((a, b) => a.pod.localeCompare(b.pod));
}

// A container that averaged this share of its CPU limit, or was throttled in this share of its
// periods or of the run's time, spent the run at its limit: bursts above the quota are what CFS
// throttles, so a stage held at its limit shows all three. The time (added up over the CPUs its
// threads waited on) counts a stage that works at its limit for part of a run, in its turn, whose
// periods the idle rest of the span dilutes.
const AT_CPU_LIMIT = 0.8;
const THROTTLED = 0.25;
// Working set this close to the memory limit means the kernel is reclaiming to keep it under.
const NEAR_MEMORY_LIMIT = 0.8;
// All pods together using this share of the node's cores: the node, not a limit, is the bound.
const NODE_BUSY = 0.8;
// A batch handed on whole goes through the stages one after another, each as fast as its ceiling
// lets it: its CPU limit, or the one core a Node process's thread can use. When the time each
// needed at its ceiling adds up to about the run (within these shares), that is what bounded it.
const IN_TURN = { from: 0.8, to: 1.2 };
const THREAD_CORES = 1;

export type Bound = { by: 'cpu-limit'; share: number } | { by: 'memory-limit'; share: number } | { by: 'none'; share: number };

/** Whether a pod sat at its CPU or memory limit over `wallSeconds`; `share` is of that limit (for none: of its CPU limit, or cores when it has none). */
export function podBound(p: PodFigures, wallSeconds: number): Bound {
  const cores = p.cpuSeconds / wallSeconds;
  const cpuShare = p.cpuLimitCores ? cores / p.cpuLimitCores : cores;
  const throttled = Math.max(p.throttledShare, p.throttledSeconds / wallSeconds);
  if (p.cpuLimitCores && (cpuShare >= AT_CPU_LIMIT || throttled >= THROTTLED)) return { by: 'cpu-limit', share: cpuShare };
  const memShare = p.memoryLimitBytes ? p.sampledPeakWorkingSetBytes / p.memoryLimitBytes : 0;
  if (memShare >= NEAR_MEMORY_LIMIT) return { by: 'memory-limit', share: memShare };
  return { by: 'none', share: cpuShare };
}

/**
 * The row's reading: the pods held at a limit; else the `stages` (containers, in the order a batch
 * goes through them) at their ceilings in turn; else the node's cores when they were all in use;
 * else none of these.
 */
export function rowBound(pods: PodFigures[], wallSeconds: number, nodeCores: number, stages: readonly string[] = []): string {
  const held = pods
    .map((p) => ({ p, b: podBound(p, wallSeconds) }))
    .filter(({ b }) => b.by !== 'none')
    .sort((x, y) => y.b.share - x.b.share);
  if (held.length > 0)
    return held.map(({ p, b }) => `${p.container} at its ${b.by === 'cpu-limit' ? `CPU limit ${milli(p.cpuLimitCores!)}` : `memory limit ${mib(p.memoryLimitBytes!)}`}`).join(', ');
  const turns = stages.flatMap((name) => pods.filter((p) => p.container === name));
  const ceiling = (p: PodFigures) => Math.min(p.cpuLimitCores ?? THREAD_CORES, THREAD_CORES);
  const inTurn = turns.reduce((sum, p) => sum + p.cpuSeconds / ceiling(p), 0);
  if (turns.length > 1 && inTurn >= IN_TURN.from * wallSeconds && inTurn <= IN_TURN.to * wallSeconds) {
    const each = turns.map(
      (p) =>
        `${p.container} ${(p.cpuSeconds / ceiling(p)).toFixed(1)} s at ${p.cpuLimitCores !== undefined && p.cpuLimitCores < THREAD_CORES ? `its CPU limit ${milli(p.cpuLimitCores)}` : 'one core'}`,
    );
    return `the stages in turn, each at its ceiling (${each.join(', ')}: ${inTurn.toFixed(1)} s of a ${wallSeconds.toFixed(1)} s run)`;
  }
  const cores = pods.reduce((sum, p) => sum + p.cpuSeconds, 0) / wallSeconds;
  if (cores >= NODE_BUSY * nodeCores) return `the node's ${nodeCores} cores (${cores.toFixed(2)} in use)`;
  return `no limit (${cores.toFixed(2)} of ${nodeCores} cores in use)`;
}

export const milli = (cores: number) => `${Math.round(cores * 1000)}m`;
export const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)}Mi`;
