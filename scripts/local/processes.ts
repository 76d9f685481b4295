// Runs one service as a child process, the way a container would run it: its own environment,
// its output in a log file, SIGTERM to stop, and SIGKILL available to tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { sleep } from 'zx';
import { HANDED_CONNECTION } from '../../services/lib/main.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServiceProcess {
  name: string;
  port: number;
  pid(): number | undefined;
  /** How the last run ended: its exit code, or the signal that ended it; undefined while running. */
  exit(): number | NodeJS.Signals | undefined;
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the process with `signal` (SIGKILL to simulate a crash) and starts it again, with `env` added from then on. */
  restart(signal?: NodeJS.Signals, env?: Record<string, string>): Promise<void>;
  /** Passes a client connection to the process to serve (needs `takesConnections`); rejects if it cannot take it. */
  handOff(socket: net.Socket): Promise<void>;
  /** Resolves once /readyz answers 200. */
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
  /** Open an IPC channel, over which handOff() passes connections. */
  takesConnections?: boolean;
}

export async function spawnService(o: SpawnOptions): Promise<ServiceProcess> {
  const port = await freePort();
  mkdirSync(o.logDir, { recursive: true });
  const log = createWriteStream(path.join(o.logDir, `${o.name}.log`), { flags: 'a' });
  let child: ChildProcess;
  let exited: Promise<void>;
  let env = o.env;
  const launch = () => {
    const args = o.bundled ? [path.join(ROOT, 'dist', 'images', o.service, 'main.mjs')] : ['--import', 'tsx', path.join(ROOT, 'services', o.service, 'src', 'main.ts')];
    child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe', ...(o.takesConnections ? (['ipc'] as const) : [])],
    });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
  };
  launch();
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    name: o.name,
    port,
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
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`${o.name} exited with code ${child.exitCode}; see ${path.join(o.logDir, `${o.name}.log`)}`);
        const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) return;
        await sleep(100);
      }
      throw new Error(`${o.name} was not ready within ${timeoutMs} ms; see ${path.join(o.logDir, `${o.name}.log`)}`);
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
