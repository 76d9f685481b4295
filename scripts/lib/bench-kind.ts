// The bench's Kind target: the same listings through the cluster's pipeline, timed inside the
// cluster so that no kubectl round trip is in a figure, with each pod's CPU seconds and memory
// peaks from the kubelet's cAdvisor metrics, and which limit bounded each row.
//
// Each row starts on fresh pods with the row's posting mode and limits (bench-cluster.ts); the
// listing is built in the bench's own pod from the same real `ls -l` lines as locally; one node
// script there publishes it and polls done/ every 2 ms. Everything changed is put back at the end.
import { newBatchId } from '../../services/lib/batches.ts';
import { DATA_STAGES, stageOf } from '../../services/lib/pipeline.ts';
import { realLines } from '../local/fixtures.ts';
import { idleCores, mib, milli, podBound, podFigures, rowBound, type PodFigures } from './bench-metrics.ts';
import {
  applyTemplates,
  BENCHED,
  closeDoor,
  freshCadvisor,
  nodes,
  openDoor,
  resourcesOf,
  resumeSource,
  rowTemplate,
  sampleDuring,
  saveTemplates,
  suspendSource,
  type Template,
} from './bench-cluster.ts';
import { concurrencyOf, HAND_DROPS, LATENCY_SAMPLES, median, printCpu, printRow, SMALL_LINES, SMALL_SAMPLES, type BenchResult, type HandDrop, type Row } from './bench-table.ts';
import { bench as settings, kind } from './config.ts';
import { CancelledError, VolumeError } from './errors.ts';
import { kubectl } from './kube.ts';
import { readyPods, type PodRef } from './volume.ts';

const PEAK = 'cgroup peak';
// The folders a batch waits in on its way: every data stage's input.
const INPUTS = DATA_STAGES.map((s) => stageOf(s).input!.dir);
// A row's listing must reach done/ within this; 1M lines in single mode at 500m take about 20 min.
const DELIVERY_LIMIT_MS = 45 * 60_000;

// Builds syntheticListing(lines) in .tmp/ from the real lines on stdin, a chunk at a time: a
// million lines are ~70 MB, which the pod's 64 MB heap need never hold.
const BUILD = String.raw`
const fs = require('fs');
const [name, n] = [process.argv[1], Number(process.argv[2])];
let input = '';
process.stdin.setEncoding('utf8').on('data', (c) => (input += c)).on('end', () => {
  const real = JSON.parse(input);
  const fd = fs.openSync(process.env.DATA_DIR + '/.tmp/' + name, 'w');
  for (let from = 0; from < n; from += 10000) {
    const chunk = [];
    for (let i = from; i < Math.min(n, from + 10000); i++) chunk.push(real[i % real.length] + '.' + i);
    fs.writeSync(fd, chunk.join('\n') + '\n');
  }
  fs.fsyncSync(fd);
  fs.closeSync(fd);
});`;

// Times each sample of a built listing, in the pod: "publish" copies it aside, then renames it into
// txt/ under a batch id as getdata does (the clock starts at the rename); "cp" writes it into
// txt/ under a plain name as a person does (the clock starts before the write, so the claim's
// settle is in it); "mv" copies it aside with a time a minute back, as a listing made earlier,
// and renames it into txt/ under a plain name. Each sample ends when its summary is in done/,
// or for a big batch handed on in parts, when no part waits in a stage's folder and one has its
// summary (scripts/local/inspect.ts's isDelivered); prints [{ ms, firstAckMs }].
const TIME = String.raw`
const fs = require('fs');
const [how, source, names, limitMs, inputs] = [process.argv[1], process.argv[2], JSON.parse(process.argv[3]), Number(process.argv[4]), JSON.parse(process.argv[5])];
const at = (dir, f) => process.env.DATA_DIR + '/' + dir + '/' + f;
const ofBatch = (name) => (f) => f.slice(0, f.lastIndexOf('.')).replace(/(?:\.p\d+)+$/, '') === name;
const delivered = (name) => !inputs.some((d) => fs.readdirSync(at(d, '')).some(ofBatch(name))) && fs.readdirSync(at('done', '')).some(ofBatch(name));
const size = (p) => { try { return fs.statSync(p).size; } catch (e) { if (e.code === 'ENOENT') return -1; throw e; } };
(async () => {
  const out = [];
  for (const name of names) {
    let started;
    if (how === 'cp') {
      started = performance.now();
      fs.copyFileSync(at('.tmp', source), at('txt', name + '.txt'));
    } else {
      fs.copyFileSync(at('.tmp', source), at('.tmp', 'bench.copy.txt'));
      if (how === 'mv') fs.utimesSync(at('.tmp', 'bench.copy.txt'), Date.now() / 1000 - 60, Date.now() / 1000 - 60);
      started = performance.now();
      fs.renameSync(at('.tmp', 'bench.copy.txt'), at('txt', name + '.txt'));
    }
    const isDone = how === 'publish' ? () => delivered(name) : () => fs.readdirSync(at('done', '')).some((f) => f.includes('-' + name + '-'));
    let firstAckMs;
    const ack = () => { if (firstAckMs === undefined && how === 'publish' && size(at('receipts', name + '.ndjson')) > 0) firstAckMs = performance.now() - started; };
    while (!isDone()) {
      ack();
      if (performance.now() - started > limitMs) { console.error(name + ' not in done/ within ' + limitMs / 1000 + ' s'); process.exit(2); }
      await new Promise((r) => setTimeout(r, 2));
    }
    const ms = performance.now() - started;
    ack();
    out.push({ ms, firstAckMs });
  }
  fs.rmSync(at('.tmp', source), { force: true });
  process.stdout.write(JSON.stringify(out));
})();`;

// Waits until no batch is in a stage's input folder: a batch left from before the row (getdata's
// last run, one abandoned by the row's rollout) would otherwise be delivered ahead of the bench's.
const DRAIN = String.raw`
const fs = require('fs');
const [dirs, limitMs] = [JSON.parse(process.argv[1]), Number(process.argv[2])];
const started = performance.now();
const left = () => dirs.flatMap((d) => fs.readdirSync(process.env.DATA_DIR + '/' + d).map((f) => d + '/' + f));
const look = () => {
  const files = left();
  if (files.length === 0) return process.stdout.write(String(Math.round(performance.now() - started)));
  if (performance.now() - started > limitMs) { console.error('still there after ' + limitMs / 1000 + ' s: ' + files.join(', ')); process.exit(2); }
  setTimeout(look, 50);
};
look();`;

interface Sample {
  ms: number;
  firstAckMs?: number;
}

function inPod(door: PodRef, real: string) {
  const exec = async (what: string, script: string, args: string[], input?: string) => {
    const out = await kubectl(['exec', ...(input === undefined ? [] : ['--stdin']), `pod/${door.name}`, '--container', door.container, '--', 'node', '-e', script, ...args], {
      input,
      nothrow: true,
      waitSeconds: DELIVERY_LIMIT_MS / 1000,
    });
    if (out.exitCode !== 0) throw new VolumeError(`${what} failed in pod/${door.name}: ${out.stderr.trim()}`, 'npm run status; npm run logs shows what each stage did');
    return out.stdout;
  };
  return {
    drain: async () => Number(await exec('waiting for the stages to be empty', DRAIN, [JSON.stringify(INPUTS), String(kind.waitSeconds * 1000)])),
    build: (name: string, lines: number) => exec(`building a ${lines}-line listing`, BUILD, [name, String(lines)], real),
    time: async (how: 'publish' | HandDrop, source: string, names: string[]) =>
      JSON.parse(await exec(`timing ${names.join(', ')}`, TIME, [how, source, JSON.stringify(names), String(DELIVERY_LIMIT_MS), JSON.stringify(INPUTS)])) as Sample[],
  };
}

/** Runs every row of BENCH_MODES × BENCH_SIZES; `limits` (from --cpu-limit, --memory-limit) replace the Deployments' own for the run. */
export async function benchKind(limits: { cpu?: string; memory?: string }): Promise<BenchResult> {
  const cluster = await nodes();
  const saved = await saveTemplates();
  for (const name of BENCHED) console.log(`  ${name.padEnd(12)} as deployed: ${resourcesOf(saved.get(name)!, name)}`);
  const changed = Object.entries(limits).map(([k, v]) => `${k} ${v}`);
  console.log(`  this run:    ${changed.length ? `limits ${changed.join(', ')} on ${BENCHED.join(', ')}` : 'the limits as deployed'}`);
  const wasSuspended = await suspendSource();
  const rows: Row[] = [];
  // Ctrl-C ends the run here, so that the finally below still puts the cluster back.
  let onSigint: () => void = () => undefined;
  const interrupted = new Promise<never>((_, reject) => {
    onSigint = () => reject(new CancelledError('interrupted: the cluster was put back as it was', 'npm run bench -- --target kind'));
    process.once('SIGINT', onSigint);
  });
  try {
    await Promise.race([runRows(saved, limits, cluster, rows), interrupted]);
  } finally {
    process.off('SIGINT', onSigint);
    console.log('  putting the cluster back: the bench pod, the Deployments as found, the CronJob');
    await closeDoor();
    await applyTemplates(saved);
    await resumeSource(wasSuspended);
  }
  return { rows, peakLabel: PEAK };
}

async function runRows(saved: Map<string, Template>, limits: { cpu?: string; memory?: string }, cluster: { names: string[]; cores: number }, rows: Row[]): Promise<void> {
  const pod = inPod(await openDoor(saved.get(BENCHED[0]!)!), JSON.stringify(realLines()));
  for (const mode of settings.modes) {
    for (const [i, lines] of settings.sizes.entries()) {
      const tag = newBatchId(`${mode}-${lines}`).slice(-6);
      const started = performance.now();
      await applyTemplates(new Map([...saved].map(([name, t]) => [name, rowTemplate(t, name, { mode, concurrency: concurrencyOf(mode), limits, row: tag })])));
      const pods = (await readyPods(`app.kubernetes.io/name in (${BENCHED.join(',')})`)).map((p) => p.name);
      const drainMs = await pod.drain();
      console.log(
        `  ${mode} ${lines}: json-to-api POST_MODE=${mode} CONCURRENCY=${concurrencyOf(mode)} DOC_LOG_LEVEL=debug, ${pods.length} fresh pods in ${((performance.now() - started) / 1000).toFixed(1)}s, stages empty after ${(drainMs / 1000).toFixed(1)}s more`,
      );

      await pod.build('bench.small.txt', 10);
      const acks = await pod.time(
        'publish',
        'bench.small.txt',
        Array.from({ length: LATENCY_SAMPLES }, () => newBatchId('bench-small')),
      );
      const firstAckMs = median(acks.map((s) => s.firstAckMs ?? s.ms));
      if (i === 0) {
        for (const how of HAND_DROPS) {
          await pod.build('bench.hand.txt', SMALL_LINES);
          const samples = await pod.time(
            how,
            'bench.hand.txt',
            Array.from({ length: SMALL_SAMPLES }, (_, n) => `bench-dropped-${how}-${tag}-${n}`),
          );
          const seconds = median(
            samples.map((s) => s.ms / 1000),
            2,
          );
          rows.push({ mode, lines: SMALL_LINES, byHand: how, seconds });
          printRow(rows[rows.length - 1]!, PEAK, `samples ${samples.map((s) => (s.ms / 1000).toFixed(2)).join(', ')} s`);
        }
      }

      await pod.build('bench.big.txt', lines);
      const before = await freshCadvisor(cluster.names, pods, Date.now());
      const sampler = sampleDuring(cluster.names);
      let big: Sample[];
      let during: Awaited<ReturnType<typeof sampler.stop>>;
      try {
        big = await pod.time('publish', 'bench.big.txt', [newBatchId('bench')]);
      } finally {
        during = await sampler.stop();
      }
      const after = await freshCadvisor(cluster.names, pods, Date.now());
      const idle = idleCores(after, await freshCadvisor(cluster.names, pods, Math.max(...[...after.values()].map((s) => s.atMs)) + 1));
      const seconds = big[0]!.ms / 1000;
      // The pipeline's pods only: the bench's own pod and the dashboard are not on a listing's path.
      const figures = podFigures(before, after, during, { seconds, idleCores: idle }).filter((f) => pods.includes(f.pod));
      rows.push({
        mode,
        lines,
        seconds,
        firstAckMs,
        peakMb: Object.fromEntries(figures.map((f) => [f.pod, Math.round(f.peakUsageBytes / 2 ** 20)])),
        cpuSeconds: Object.fromEntries(figures.map((f) => [f.pod, f.cpuSeconds])),
        boundBy: rowBound(figures, seconds, cluster.cores, DATA_STAGES),
      });
      printRow(rows[rows.length - 1]!, PEAK);
      for (const f of figures) console.log(`    ${podLine(f, seconds)}`);
      printCpu(rows[rows.length - 1]!);
      console.log(`    bounded by: ${rows[rows.length - 1]!.boundBy}  (${during.length} samples of the working set, every ~3 s)`);
    }
  }
}

/** One pod's figures over the run, against its limits. */
function podLine(f: PodFigures, seconds: number): string {
  const cores = f.cpuSeconds / seconds;
  const cpu = `cpu ${f.cpuSeconds.toFixed(1)} s = ${cores.toFixed(2)} cores of ${f.cpuLimitCores ? milli(f.cpuLimitCores) : 'no limit'}, throttled in ${Math.round(100 * f.throttledShare)}% of periods (${f.throttledSeconds.toFixed(1)} s), ${f.idleSeconds.toFixed(1)} s idle outside the run taken off`;
  const mem = `memory peak ${mib(f.peakUsageBytes)} (cgroup, page cache in), working set ≤${mib(f.sampledPeakWorkingSetBytes)} sampled, of ${f.memoryLimitBytes ? mib(f.memoryLimitBytes) : 'no limit'}`;
  const bound = podBound(f, seconds);
  const at = bound.by === 'cpu-limit' ? '← at its CPU limit' : bound.by === 'memory-limit' ? '← near its memory limit' : '';
  return `${f.pod.padEnd(32)} ${cpu}; ${mem} ${at}`.trimEnd();
}
