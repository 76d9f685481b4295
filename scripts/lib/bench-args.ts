// npm run bench's command line: which target to run the listings through, and for the Kind
// target the limits to run the pipeline's pods with instead of their own.
import { knownFlags, parseFlags, type Flag } from './flags.ts';
import { UsageError } from './errors.ts';

export const TARGETS = ['local', 'kind'] as const;
export type Target = (typeof TARGETS)[number];

export const BENCH_FLAGS = {
  target: { type: 'string', value: `<${TARGETS.join('|')}>`, description: 'where the listings run (local)' },
  'cpu-limit': { type: 'string', value: '<cpu>', description: "kind only: every pipeline pod's CPU limit for the run, e.g. 500m" },
  'memory-limit': { type: 'string', value: '<memory>', description: "kind only: every pipeline pod's memory limit for the run, e.g. 512Mi" },
} satisfies Record<string, Flag>;

export interface BenchArgs {
  target: Target;
  /** Limits to patch in for the run, as Kubernetes quantities; absent: the Deployments' own. */
  limits: { cpu?: string; memory?: string };
}

// Quantities as the limits are written in the manifests: millicores or cores, and binary or decimal byte units.
const CPU = /^(\d+m|\d+(\.\d+)?)$/;
const MEMORY = /^\d+(Ki|Mi|Gi|K|M|G)?$/;

export function parseBenchArgs(args: string[]): BenchArgs {
  const flags = parseFlags(BENCH_FLAGS, args);
  const target = flags.target ?? 'local';
  if (!(TARGETS as readonly string[]).includes(target))
    throw new UsageError(`unknown target ${JSON.stringify(target)}: the targets are ${TARGETS.join(', ')}`, knownFlags(BENCH_FLAGS));
  const cpu = flags['cpu-limit'];
  const memory = flags['memory-limit'];
  if ((cpu !== undefined || memory !== undefined) && target !== 'kind')
    throw new UsageError(`--cpu-limit and --memory-limit apply to --target kind only (the local target runs processes without limits)`, knownFlags(BENCH_FLAGS));
  if (cpu !== undefined && !CPU.test(cpu)) throw new UsageError(`--cpu-limit takes a CPU quantity such as 500m or 1, got ${JSON.stringify(cpu)}`, knownFlags(BENCH_FLAGS));
  if (memory !== undefined && !MEMORY.test(memory))
    throw new UsageError(`--memory-limit takes a memory quantity such as 256Mi, got ${JSON.stringify(memory)}`, knownFlags(BENCH_FLAGS));
  return { target: target as Target, limits: { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) } };
}
