// What the kernel keeps about a running process that the bench reads: its peak resident memory
// and the CPU time it has used. Only Linux has /proc; elsewhere the bench says so and goes on.
import { readFileSync } from 'node:fs';

export const HAS_PROC = process.platform === 'linux';

// /proc counts CPU time in USER_HZ ticks, which Linux fixes at 100 for user space on every
// architecture Node runs on.
const TICKS_PER_SECOND = 100;

/** VmHWM, the kernel's high-water mark of the process's resident memory, in MB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
}

/** User and system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  return cpuSecondsOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/** The same, from the text of /proc/<pid>/stat. */
export function cpuSecondsOfStat(stat: string): number {
  // The command name, in parentheses, may hold spaces and parentheses: count fields after its end.
  const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, 12th and 13th after the name.
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}
