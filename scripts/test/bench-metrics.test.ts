import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { idleCores, parseCadvisor, podBound, podFigures, rowBound, type ContainerSample, type PodFigures } from '../lib/bench-metrics.ts';

// Two real readings of this cluster's kubelet (/proxy/metrics/cadvisor), taken before and after a
// canary, trimmed to the metrics the bench reads and to three pipeline pods and etcd.
const reading = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');
const before = parseCadvisor(reading('cadvisor-a.txt'), 'k8s-pipe');
const after = parseCadvisor(reading('cadvisor-b.txt'), 'k8s-pipe');

const figures = (over: Partial<PodFigures>): PodFigures => ({
  pod: 'text-to-csv-5d6c657bc5-vnsvj',
  container: 'text-to-csv',
  cpuSeconds: 1,
  throttledShare: 0,
  throttledSeconds: 0,
  peakUsageBytes: 50 * 2 ** 20,
  sampledPeakWorkingSetBytes: 40 * 2 ** 20,
  idleSeconds: 0,
  cpuLimitCores: 0.5,
  memoryLimitBytes: 256 * 2 ** 20,
  ...over,
});

describe('parseCadvisor', () => {
  it("when the kubelet's reading is parsed, then each pod's application container comes with its counters, limits and read time", () => {
    expect(before.get('json-to-api-765dc4f5bc-kp8cd')).toEqual({
      pod: 'json-to-api-765dc4f5bc-kp8cd',
      container: 'json-to-api',
      atMs: 1795330101264,
      cpuSeconds: 18.022404914,
      periods: 2302,
      throttledPeriods: 212,
      throttledSeconds: 3.204818424,
      maxUsageBytes: 78995456,
      workingSetBytes: 77746176,
      cpuLimitCores: 0.5,
      memoryLimitBytes: 268435456,
    });
  });

  it("when the reading holds other namespaces, the pods' own cgroups and their pause containers, then only the namespace's application containers come back", () => {
    expect([...before.keys()].sort()).toEqual(['api-5d8598b6cb-sm7fd', 'json-to-api-765dc4f5bc-kp8cd', 'text-to-csv-5d6c657bc5-vnsvj']);
    expect([...before.values()].map((s) => s.container).sort()).toEqual(['api', 'json-to-api', 'text-to-csv']);
  });
});

describe('podFigures', () => {
  it('when two readings are compared, then CPU seconds and throttling are their differences and the memory peak is the later cgroup peak', () => {
    const sink = podFigures(before, after).find((f) => f.container === 'json-to-api')!;
    expect(sink.cpuSeconds).toBeCloseTo(18.405610464 - 18.022404914, 9);
    expect(sink.throttledShare).toBe(0);
    expect(sink.throttledSeconds).toBe(0);
    expect(sink.peakUsageBytes).toBe(79093760);
    expect(sink.sampledPeakWorkingSetBytes).toBe(77778944);
  });

  it('when a reading in between saw a higher working set, then that is the sampled peak', () => {
    const between = new Map(after);
    between.set('api-5d8598b6cb-sm7fd', { ...after.get('api-5d8598b6cb-sm7fd')!, workingSetBytes: 99e6 });
    expect(podFigures(before, after, [between]).find((f) => f.container === 'api')!.sampledPeakWorkingSetBytes).toBe(99e6);
  });

  it('when the readings span more than the run, then what each pod used idle over the rest of the span is taken off its CPU seconds', () => {
    const pod = 'json-to-api-765dc4f5bc-kp8cd';
    const span = (after.get(pod)!.atMs - before.get(pod)!.atMs) / 1000;
    const used = after.get(pod)!.cpuSeconds - before.get(pod)!.cpuSeconds;
    const run = { seconds: 1, idleCores: new Map([[pod, 0.005]]) };
    const sink = podFigures(before, after, [], run).find((f) => f.pod === pod)!;
    expect(sink.idleSeconds).toBeCloseTo(0.005 * (span - 1), 9);
    expect(sink.cpuSeconds).toBeCloseTo(used - 0.005 * (span - 1), 9);
    // A pod with no idle reading keeps its counters' whole difference.
    expect(podFigures(before, after, [], run).find((f) => f.container === 'api')!.idleSeconds).toBe(0);
  });

  it('when a pod used less CPU between the readings than its idle rate makes of the span, then it used none in the run, never less', () => {
    const pod = 'json-to-api-765dc4f5bc-kp8cd';
    const sink = podFigures(before, after, [], { seconds: 0.1, idleCores: new Map([[pod, 100]]) }).find((f) => f.pod === pod)!;
    expect(sink.cpuSeconds).toBe(0);
  });

  it('when a pod is missing from the first reading, then it is left out, having no baseline', () => {
    const late = new Map(before);
    late.delete('api-5d8598b6cb-sm7fd');
    expect(podFigures(late, after).map((f) => f.container)).toEqual(['json-to-api', 'text-to-csv']);
  });
});

describe('idleCores', () => {
  const at = (atMs: number, cpuSeconds: number): Map<string, ContainerSample> => new Map([['api-1', { ...before.get('api-5d8598b6cb-sm7fd')!, pod: 'api-1', atMs, cpuSeconds }]]);

  it("when two idle readings are 12 s apart, then a pod's idle use is its CPU seconds over them", () => {
    expect(idleCores(at(1_000, 5), at(13_000, 5.06)).get('api-1')).toBeCloseTo(0.005, 9);
  });

  it('when a pod was not read again, or its counter went back (a restart), then it has no or no negative idle use', () => {
    expect(idleCores(at(1_000, 5), at(1_000, 5)).has('api-1')).toBe(false);
    expect(idleCores(at(1_000, 5), at(13_000, 1)).get('api-1')).toBe(0);
  });
});

describe('which limit bounds a figure', () => {
  it('when a pod averaged most of its CPU limit, then it is at its CPU limit', () => {
    expect(podBound(figures({ cpuSeconds: 9 }), 20)).toEqual({ by: 'cpu-limit', share: 0.9 });
  });

  it('when a pod was throttled in a quarter of its periods, then it is at its CPU limit even with a lower average', () => {
    expect(podBound(figures({ cpuSeconds: 6, throttledShare: 0.3 }), 20).by).toBe('cpu-limit');
  });

  it('when a pod was held back by its quota for a quarter of the run, working in its turn, then it is at its CPU limit though few of its periods were throttled', () => {
    expect(podBound(figures({ cpuSeconds: 0.8, throttledShare: 0.2, throttledSeconds: 0.9 }), 2.9).by).toBe('cpu-limit');
    expect(podBound(figures({ cpuSeconds: 0.3, throttledShare: 0.07, throttledSeconds: 0.2 }), 2.9).by).toBe('none');
  });

  it('when a working set came near the memory limit, then it is the memory limit', () => {
    expect(podBound(figures({ sampledPeakWorkingSetBytes: 240 * 2 ** 20 }), 20).by).toBe('memory-limit');
  });

  it('when a pod used little of either, then no limit bounds it', () => {
    expect(podBound(figures({ cpuSeconds: 2 }), 20)).toEqual({ by: 'none', share: 0.2 });
  });

  it('when one stage sat at its limit, then the row names that stage and the limit', () => {
    const pods = [figures({ cpuSeconds: 9.5 }), figures({ pod: 'api-1', container: 'api', cpuSeconds: 2 })];
    expect(rowBound(pods, 20, 2)).toBe('text-to-csv at its CPU limit 500m');
  });

  it("when no stage sat at a limit but together they used the node's cores, then the row names the node", () => {
    const pods = ['a', 'b', 'c', 'd', 'e'].map((p) => figures({ pod: p, cpuSeconds: 7 }));
    expect(rowBound(pods, 20, 2)).toBe("the node's 2 cores (1.75 in use)");
  });

  describe('a batch handed on whole, through the stages one after another', () => {
    const STAGES = ['text-to-csv', 'csv-to-json', 'json-to-api'];
    const stage = (container: string, cpuSeconds: number, cpuLimitCores?: number) =>
      figures({ pod: `${container}-1`, container, cpuSeconds, cpuLimitCores, throttledShare: 0.1, throttledSeconds: 0.3 });

    it('when the time each stage needed at its CPU limit adds up to the run, then the row names the stages at their limits in turn', () => {
      const pods = [stage('json-to-api', 0.7, 0.5), stage('text-to-csv', 0.3, 0.5), stage('csv-to-json', 0.4, 0.5)];
      expect(rowBound(pods, 2.6, 2, STAGES)).toBe(
        'the stages in turn, each at its ceiling (text-to-csv 0.6 s at its CPU limit 500m, csv-to-json 0.8 s at its CPU limit 500m, json-to-api 1.4 s at its CPU limit 500m: 2.8 s of a 2.6 s run)',
      );
    });

    it('when their limits are a core or more, or none, then each is at the one core its thread can use', () => {
      const pods = [stage('text-to-csv', 0.5, 1), stage('csv-to-json', 0.4), stage('json-to-api', 0.7, 2)];
      expect(rowBound(pods, 1.62, 2, STAGES)).toBe(
        'the stages in turn, each at its ceiling (text-to-csv 0.5 s at one core, csv-to-json 0.4 s at one core, json-to-api 0.7 s at one core: 1.6 s of a 1.6 s run)',
      );
    });

    it('when the stages needed far more than the run at their ceilings, then they worked side by side and the reading goes on to the cores', () => {
      const pods = [stage('text-to-csv', 3.5, 1), stage('csv-to-json', 5, 1), stage('json-to-api', 5.3, 1)];
      expect(rowBound(pods, 10, 2, STAGES)).toBe('no limit (1.38 of 2 cores in use)');
    });
  });

  it('when neither, then the row says no limit bounded it', () => {
    expect(rowBound([figures({ cpuSeconds: 2 })], 20, 2)).toBe('no limit (0.10 of 2 cores in use)');
  });
});
