// The HTTP shell's connection recycling: behind a Service a kept-alive connection would stay on
// one replica for good, so an answer on a connection past its age closes it.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import { afterEach, describe, expect, test } from 'vitest';
import { listen, type Listening } from '../http.ts';

const MAX_AGE_MS = 300;

interface Answer {
  connection?: string;
  /** The client's port as the server saw it: a new port is a new connection. */
  clientPort: number;
}

let server: Listening | undefined;
let handOff: net.Server | undefined;
let agent: http.Agent | undefined;
afterEach(async () => {
  agent?.destroy();
  handOff?.close();
  await server?.close();
});

/** Starts the server; with `handedOver`, connections reach it through another listener that hands them over, as npm start's Service stand-in does. */
async function start({ handedOver }: { handedOver: boolean }): Promise<() => Promise<Answer>> {
  const app = express();
  app.get('/', (req, res) => {
    res.json({ clientPort: req.socket.remotePort });
  });
  server = await listen(app, { port: 0, host: '127.0.0.1', maxConnectionAgeMs: MAX_AGE_MS });
  let port = server.port;
  if (handedOver) {
    handOff = net.createServer((socket) => server!.adopt(socket));
    await new Promise<void>((resolve) => handOff!.listen(0, '127.0.0.1', resolve));
    port = (handOff.address() as AddressInfo).port;
  }
  agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return () =>
    new Promise((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ connection: res.headers.connection, ...(JSON.parse(body) as { clientPort: number }) }));
        })
        .on('error', reject);
    });
}

describe.each([
  { how: 'accepted by the server', handedOver: false },
  { how: 'handed over to the server', handedOver: true },
])('a connection $how', ({ handedOver }) => {
  test('when it is younger than its age limit, then it stays open for the next request', async () => {
    const get = await start({ handedOver });
    const first = await get();
    const second = await get();
    expect(first.connection).toBe('keep-alive');
    expect(second.clientPort).toBe(first.clientPort);
  });

  test('when it is older than its age limit, then the answer closes it and the next request comes on a new one', async () => {
    const get = await start({ handedOver });
    const first = await get();
    await sleep(MAX_AGE_MS + 100);
    const old = await get();
    expect(old.clientPort).toBe(first.clientPort);
    expect(old.connection).toBe('close');
    const next = await get();
    expect(next.clientPort).not.toBe(first.clientPort);
    expect(next.connection).toBe('keep-alive');
  });
});
