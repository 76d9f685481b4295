// getdata runs can overlap (a manual Job beside the CronJob's, or two local processes), so each
// names its temp files after itself and clears only what is surely dead: a run of this host
// whose process is gone, or any run older than the listing time limit.
import os from 'node:os';
import { batchTime } from '../../lib/batches.ts';

export interface Owner {
  host: string;
  pid: number;
}

export function me(): Owner {
  return {
    host: os
      .hostname()
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-'),
    pid: process.pid,
  };
}

/** `<host>_<pid>.<batch>.txt`, below .tmp/getdata. */
export function tempName(owner: Owner, batch: string): string {
  return `${owner.host}_${owner.pid}.${batch}.txt`;
}

export function isStale(name: string, self: Owner, limitMs: number, now = Date.now(), alive = isAlive): boolean {
  const m = /^([a-z0-9-]+)_(\d+)\.(.+)\.txt$/.exec(name);
  if (!m) return true;
  const [, host, pid, batch] = m;
  const made = batchTime(batch!);
  if (made === undefined || now - made > limitMs) return true;
  return host === self.host && Number(pid) !== self.pid && !alive(Number(pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
