import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { cpuLine } from '../lib/bench-table.ts';
import { cpuSeconds, cpuSecondsOfStat, HAS_PROC } from '../local/proc.ts';

describe('CPU time from /proc', () => {
  it('when the command name holds spaces and parentheses, then utime and stime are still read from the fields after it', () => {
    // pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime ...
    const stat = '4242 (node (a) b) S 1 4242 4242 0 -1 4194560 5120 0 12 0 250 75 3 1 20 0 11 0';
    expect(cpuSecondsOfStat(stat)).toBeCloseTo(3.25);
  });

  it.runIf(HAS_PROC)('when a process has used some CPU, then /proc shows as much', () => {
    // Spins until its own count says 350 ms of CPU, however busy the machine is, then reads its stat.
    const script = 'while (process.cpuUsage().user < 350_000); process.stdout.write(require("fs").readFileSync("/proc/self/stat", "utf8"))';
    const spin = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(cpuSecondsOfStat(spin.stdout)).toBeGreaterThanOrEqual(0.34);
    expect(cpuSeconds(process.pid)).toBeGreaterThan(0);
  });
});

describe('the CPU line under a bench row', () => {
  it('when replicas and pods of one service are listed, then they are added up under the service, with the whole against the cores', () => {
    const line = cpuLine({ 'api-1': 0.2, 'api-2': 0.3, 'json-to-api-689c5cd4c7-nxm7p': 1.5, 'api-5c695b9447-gwxnv': 0.5 }, 10_000, 2);
    expect(line).toBe(`CPU µs a document: api ×3 100, json-to-api 150; all 250 = 1.25 of ${os.availableParallelism()} cores`);
  });
});
