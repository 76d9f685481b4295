// What every bench target measures and how it is printed: one ✓ line per row as it is measured,
// and the summary table at the end, the same for the local processes and the Kind cluster.
import { chalk } from 'zx';
import os from 'node:os';
import { DATA_STAGES, SERVICES } from '../../services/lib/pipeline.ts';
import type { Floor } from '../local/floor.ts';

// The small-batch rows: a listing the size of getdata's own batches, dropped by hand and timed
// until its summary is in done/; copied in (the claim's settle is part of it) and moved in.
export const SMALL_LINES = 3000;
export const SMALL_SAMPLES = 3;
export const LATENCY_SAMPLES = 5;
/** json-to-api's requests in flight per posting mode, the same for every target. */
export const CONCURRENCY = { single: 32, bulk: 6 } as const;
export const concurrencyOf = (mode: string): number => CONCURRENCY[mode as keyof typeof CONCURRENCY] ?? CONCURRENCY.single;

/**
 * How a person drops a listing: `cp` writes it in place, so it is claimed once it has held still
 * for the settle; `mv` brings in a file written earlier, which the claim takes at once.
 */
export const HAND_DROPS = ['cp', 'mv'] as const;
export type HandDrop = (typeof HAND_DROPS)[number];

export interface Row {
  mode: string;
  lines: number;
  /** How the listing was dropped by hand under a plain name (the small-batch rows), rather than published by id. */
  byHand?: HandDrop;
  seconds: number;
  firstAckMs?: number;
  /** Peak memory per process or pod, MB; absent where it is not measured. */
  peakMb?: Record<string, number>;
  /** The kind target's reading of what bounded the row. */
  boundBy?: string;
  /** CPU seconds each process or pod used over the row. */
  cpuSeconds?: Record<string, number>;
  /** Seconds each stage spent on the batch, from its own log, summed over the parts it was handed on in. */
  stageSeconds?: Record<string, number>;
  /** How many parts the batch was handed on in (services/lib/parts.ts), which go through the stages side by side. */
  parts?: number;
}

/** What a target hands back: its rows, the library floor when it measured one, and what its peak memory is. */
export interface BenchResult {
  rows: Row[];
  floor?: Floor;
  /** Names the peak memory column: "peak RSS" locally, the cgroup's peak on the cluster. */
  peakLabel: string;
}

/** Documents a second: derived where printed, so a row holds only what was measured. */
export const rate = (docs: number, seconds: number): number => Math.round(docs / seconds);

export function median(xs: number[], digits = 0): number {
  const s = [...xs].sort((a, b) => a - b);
  return Number(s[Math.floor(s.length / 2)]!.toFixed(digits));
}

export function printRow(r: Row, peakLabel: string, extra?: string): void {
  const peak = r.peakMb
    ? `${peakLabel} MB: ${Object.entries(r.peakMb)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`
    : `${peakLabel} not measured`;
  console.log(
    `${chalk.green('✓')} ${r.mode.padEnd(6)} ${String(r.lines).padStart(8)} lines${r.byHand ? ` by hand (${r.byHand})` : ''}  ${r.seconds.toFixed(r.byHand ? 2 : 1).padStart(6)} s  ${String(rate(r.lines, r.seconds)).padStart(7)} docs/s  ${
      r.byHand ? extra : `first ack ${r.firstAckMs} ms  ${stages(r)}${peak}`
    }`,
  );
}

function stages(r: Row): string {
  if (!r.stageSeconds) return '';
  return `stages${r.parts && r.parts > 1 ? ` (${r.parts} parts)` : ''}: ${Object.entries(r.stageSeconds)
    .map(([stage, s]) => `${stage} ${s.toFixed(1)} s`)
    .join(', ')}  `;
}

export function printFloor(floor: Floor): void {
  console.log(
    `${chalk.green('✓')} floor  ${String(floor.docs).padStart(8)} docs   ${floor.seconds.toFixed(1).padStart(6)} s  ${String(rate(floor.docs, floor.seconds)).padStart(7)} docs/s  (node-fetch to express.json(), concurrency ${CONCURRENCY.single})`,
  );
  if (floor.cpuSeconds) console.log(`    ${cpuLine(floor.cpuSeconds, floor.docs, floor.seconds)}`);
}

/** Under a row: the CPU each process or pod used a document, its replicas together, and all of them against the machine's cores. */
export function printCpu(r: Row): void {
  if (r.cpuSeconds) console.log(`    ${cpuLine(r.cpuSeconds, r.lines, r.seconds)}`);
}

export function cpuLine(cpuSeconds: Record<string, number>, docs: number, seconds: number): string {
  const byService = new Map<string, { seconds: number; count: number }>();
  for (const [name, s] of Object.entries(cpuSeconds)) {
    const service = serviceOf(name);
    const sum = byService.get(service) ?? { seconds: 0, count: 0 };
    byService.set(service, { seconds: sum.seconds + s, count: sum.count + 1 });
  }
  const parts = [...byService].map(([service, { seconds: s, count }]) => `${service}${count > 1 ? ` ×${count}` : ''} ${perDoc(s, docs)}`);
  const all = totalCpu(cpuSeconds);
  return `CPU µs a document: ${parts.join(', ')}; all ${perDoc(all, docs)} = ${(all / seconds).toFixed(2)} of ${os.availableParallelism()} cores`;
}

const perDoc = (cpuSeconds: number, docs: number): number => Math.round((1e6 * cpuSeconds) / docs);
const totalCpu = (cpuSeconds: Record<string, number>): number => Object.values(cpuSeconds).reduce((a, b) => a + b, 0);

/** The service a process (api-2) or pod (api-5c695b9447-gwxnv) runs; the longest name that fits, so json-to-api is not api. */
function serviceOf(name: string): string {
  return SERVICES.filter((s) => name === s || name.startsWith(`${s}-`)).sort((a, b) => b.length - a.length)[0] ?? name;
}

export function printSummary({ rows, floor, peakLabel }: BenchResult): void {
  console.log(chalk.bold('\nsummary'));
  const peak = (r: Row, names: (n: string) => boolean) =>
    r.peakMb
      ? Math.max(
          ...Object.entries(r.peakMb)
            .filter(([n]) => names(n))
            .map(([, mb]) => mb),
        )
      : 'not measured';
  // The stages that stream files; the memory bound is theirs. Pods are named after their stage.
  const isStage = (n: string) => DATA_STAGES.some((s) => n === s || n.startsWith(`${s}-`));
  console.table(
    rows.map((r) => ({
      mode: r.mode,
      lines: r.byHand ? `${r.lines} by hand (${r.byHand})` : r.lines,
      seconds: Number(r.seconds.toFixed(2)),
      'docs/s': rate(r.lines, r.seconds),
      'of floor': r.mode === 'single' && floor && !r.byHand ? `${Math.round((100 * rate(r.lines, r.seconds)) / rate(floor.docs, floor.seconds))} %` : '',
      'first ack ms': r.firstAckMs ?? '',
      'CPU µs/doc': r.cpuSeconds ? perDoc(totalCpu(r.cpuSeconds), r.lines) : '',
      [`stage ${peakLabel} MB`]: r.byHand ? '' : peak(r, isStage),
      [`api ${peakLabel} MB`]: r.byHand ? '' : peak(r, (n) => n.startsWith('api-')),
      ...(rows.some((x) => x.boundBy) ? { 'bounded by': r.boundBy ?? '' } : {}),
    })),
  );
  if (floor)
    console.log(
      `floor: ${rate(floor.docs, floor.seconds)} docs/s, a bare node-fetch client posting ${floor.docs} documents to a bare express.json() route, ${CONCURRENCY.single} in flight${
        floor.cpuSeconds ? `, ${perDoc(totalCpu(floor.cpuSeconds), floor.docs)} µs of CPU a document` : ''
      }`,
    );
}
