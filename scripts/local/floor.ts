// The floor of the libraries single posting is built on, measured the way the pipeline runs:
// a bare node-fetch client in one process posting one document per request, over keep-alive
// connections with a bounded number in flight, to a bare express.json() route in another, with
// no pipeline code in between. The bench prints it beside single mode's figure, so that both
// come from the same machine under the same load.
//
// The bench imports measureFloor(); this file is also each of the two child processes, picked
// by its first argument (server or client).
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import express from 'express';
import fetch from 'node-fetch';
import { syntheticListing } from './fixtures.ts';
import { cpuSeconds, HAS_PROC } from './proc.ts';

export interface Floor {
  docs: number;
  seconds: number;
  /** CPU seconds the client and the server used while posting; where /proc is missing, the server's are not known. */
  cpuSeconds?: { client: number; server: number };
}

/** Posts `docs` documents with `concurrency` requests in flight; resolves with how long that took. */
export async function measureFloor(docs: number, concurrency: number): Promise<Floor> {
  const server = child(['server']);
  try {
    const port = await firstLine(server);
    const serverBefore = HAS_PROC ? cpuSeconds(server.pid!) : 0;
    const client = child(['client', port, String(docs), String(concurrency)]);
    const { seconds, cpuSeconds: clientCpu } = JSON.parse(await firstLine(client)) as { seconds: number; cpuSeconds: number };
    return { docs, seconds, cpuSeconds: HAS_PROC ? { client: clientCpu, server: cpuSeconds(server.pid!) - serverBefore } : undefined };
  } finally {
    server.kill('SIGTERM');
  }
}

function child(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', import.meta.filename, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

function firstLine(p: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: p.stdout! });
    lines.once('line', (line) => {
      lines.close();
      resolve(line);
    });
    p.once('exit', (code) => reject(new Error(`floor ${p.spawnargs[3]} exited with code ${code} before answering`)));
  });
}

/** The same answer the api gives; ETags off, as the api has them, so the floor pays for nothing the pipeline does not. */
function serve(): void {
  const app = express();
  app.set('etag', false);
  app.post('/', express.json(), (_req, res) => {
    res.json({ response: 'ok', container: 'floor' });
  });
  const server = app.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
}

/** Documents like the pipeline's, each with its own line and name, made as they are sent. */
async function post(port: number, docs: number, concurrency: number): Promise<void> {
  const templates = syntheticListing(500)
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [mod, no, user, group, usrno, month, day, time, ...name] = line.split(/\s+/);
      return { mod, no, user, group, usrno, date: `${month} ${day} ${time}`, file: name.join(' ').replace(/\.\d+$/, '') };
    });
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const url = `http://127.0.0.1:${port}/`;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < docs; i = next++) {
      const body = JSON.stringify({ line: i + 1, ...templates[i % templates.length], file: `${templates[i % templates.length]!.file}.${i}` });
      const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' }, agent });
      if (!res.ok) throw new Error(`floor server answered ${res.status}`);
      await res.text();
    }
  };
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
  agent.destroy();
}

// Run as a child (not imported by the bench): be the role the first argument names.
if (process.argv[1] === import.meta.filename) {
  const [role, ...rest] = process.argv.slice(2);
  if (role === 'server') serve();
  else await post(Number(rest[0]), Number(rest[1]), Number(rest[2]));
}
