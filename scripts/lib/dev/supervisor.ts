// The in-pod half of dev mode: PID 1 of every dev-mode container. It runs the service's bundle
// from the read-only dev-code volume and, when `npm run dev` swaps a new bundle in (a rename, so
// never half-written), stops the old process the way Kubernetes would (SIGTERM, then waits) and
// starts the new one. The pod, its uid, its read-only root and its probes stay as they are.
//
// Usage: node supervisor.mjs <bundle>. The child gets BUILD_ID (a hash of the bundle it runs),
// which /healthz reports, so `npm run dev` can tell when every pod serves the new code.
// A child that exits by itself ends the supervisor with the same status: the kubelet then
// restarts the container, or completes the Job, exactly as without dev mode.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

/** How often the bundle is looked at: a stat, cheap enough to be frequent. */
const POLL_MS = 100;
/** A child that ignores SIGTERM this long is killed, as the kubelet does after a grace period. */
const STOP_LIMIT_MS = 30_000;

export const buildIdOf = (code: Buffer): string => createHash('sha256').update(code).digest('hex').slice(0, 12);

const log = (msg: string, fields: Record<string, unknown> = {}) =>
  process.stdout.write(`${JSON.stringify({ level: 30, time: Date.now(), name: 'dev-supervisor', ...fields, msg })}\n`);

/** What identifies one version of the file without reading it: a rename gives a new inode. */
const stamp = (file: string): string => {
  const s = statSync(file, { throwIfNoEntry: false });
  return s ? `${s.ino}:${s.size}:${s.mtimeMs}` : 'missing';
};

export interface Supervisor {
  /** Resolves with the exit code the supervisor should end with. */
  done: Promise<number>;
  stop(signal: NodeJS.Signals): void;
}

export function supervise(bundle: string, env: NodeJS.ProcessEnv = process.env): Supervisor {
  let child: ChildProcess | undefined;
  let build = '';
  let seen = '';
  let stopping = false;
  let swapping = false;
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => (finish = resolve));

  const run = () => {
    seen = stamp(bundle);
    build = buildIdOf(readFileSync(bundle));
    const started = spawn(process.execPath, [bundle], { stdio: 'inherit', env: { ...env, BUILD_ID: build } });
    child = started;
    started.on('exit', (code, signal) => {
      if (swapping || child !== started) return;
      clearInterval(timer);
      finish(code ?? (signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : 1));
    });
  };

  const stopChild = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      const current = child;
      if (!current || current.exitCode !== null || current.signalCode !== null) return resolve();
      const kill = setTimeout(() => current.kill('SIGKILL'), STOP_LIMIT_MS);
      current.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      current.kill(signal);
    });

  const timer = setInterval(() => {
    if (stopping || swapping || stamp(bundle) === seen || stamp(bundle) === 'missing') return;
    const next = buildIdOf(readFileSync(bundle));
    seen = stamp(bundle);
    if (next === build) return;
    swapping = true;
    log('new bundle: restarting', { from: build, to: next });
    void stopChild('SIGTERM').then(() => {
      swapping = false;
      if (!stopping) run();
    });
  }, POLL_MS);

  run();
  return {
    done,
    stop(signal) {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      void stopChild(signal).then(() => finish(child?.exitCode ?? 0));
    },
  };
}
