// Runs one service as a child process, the way a container would run it: its own environment,
// its output in a log file, SIGTERM to stop, and SIGKILL available to tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import type net from 'node:net';
import { sleep } from 'zx';
import { HANDED_CONNECTION, LISTENING, type ListeningMessage } from '../../services/lib/main.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServiceProcess {
  name: string;
  /** The port the running process took; a restarted process takes a new one, as a new pod gets a new IP. */
  readonly port: number;
  pid(): number | undefined;
  /** How the last run ended: its exit code, or the signal that ended it; undefined while running. */
  exit(): number | NodeJS.Signals | undefined;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the process with `signal` (SIGKILL to simulate a crash) and starts it again, with `env` added from then on. */
  restart(signal?: NodeJS.Signals, env?: Record<string, string>): Promise<void>;
  /** Passes a client connection to the process to serve; rejects if it cannot take it. */
  handOff(socket: net.Socket): Promise<void>;
  /** Resolves once the process has reported its port and /readyz answers 200 on it. */
  ready(timeoutMs?: number): Promise<void>;
}

export interface SpawnOptions {
  /** Service folder under services/. */
  service: string;
  /** Instance name, e.g. api-1; the log file is named after it. */
  name: string;
  env: Record<string, string>;
  logDir: string;
  /** Run the esbuild bundle in dist/images (what the containers run) instead of the TypeScript source. */
  bundled?: boolean;
}

export async function spawnService(o: SpawnOptions): Promise<ServiceProcess> {
  mkdirSync(o.logDir, { recursive: true });
  const logFile = path.join(o.logDir, `${o.name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  let child: ChildProcess;
  let exited: Promise<void>;
  let listening: Promise<number>;
  let port = 0;
  let env = o.env;
  const launch = () => {
    const args = o.bundled ? [path.join(ROOT, 'dist', 'images', o.service, 'main.mjs')] : ['--import', 'tsx', path.join(ROOT, 'services', o.service, 'src', 'main.ts')];
    child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    listening = new Promise((resolve, reject) => {
      const onMessage = (m: unknown) => {
        if ((m as ListeningMessage | undefined)?.type !== LISTENING) return;
        child.off('exit', onExit);
        resolve((port = (m as ListeningMessage).port));
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        child.off('message', onMessage);
        reject(new Error(`${o.name} exited (${code ?? signal}) before it listened; see ${logFile}`));
      };
      child.on('message', onMessage).once('exit', onExit);
    });
    // ready() reports a failed start; this keeps an unawaited one from being unhandled.
    listening.catch(() => {});
  };
  launch();
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    name: o.name,
    get port() {
      return port;
    },
    pid: () => child.pid,
    exit: () => child.exitCode ?? child.signalCode ?? undefined,
    kill,
    handOff: (socket) =>
      new Promise((resolve, reject) => {
        if (!child.connected) return reject(new Error(`${o.name} has no open channel`));
        child.send(HANDED_CONNECTION, socket, (err) => (err ? reject(err) : resolve()));
      }),
    async restart(signal: NodeJS.Signals = 'SIGTERM', more?: Record<string, string>) {
      await kill(signal);
      env = { ...env, ...more };
      launch();
    },
    async ready(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      const late = () => new Error(`${o.name} was not ready within ${timeoutMs} ms; see ${logFile}`);
      let timer: NodeJS.Timeout | undefined;
      const at = await Promise.race([listening, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(late()), timeoutMs)))]).finally(() => clearTimeout(timer));
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`${o.name} exited with code ${child.exitCode}; see ${logFile}`);
        const ok = await fetch(`http://127.0.0.1:${at}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return;
        await sleep(100);
      }
      throw late();
    },
  };
}
