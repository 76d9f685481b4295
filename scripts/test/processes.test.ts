// How npm start runs a service: the child picks its own port and reports it, so no other socket
// can take the port between a pick and the bind, and it listens on loopback only.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { spawnService } from '../local/processes.ts';

const START_TIMEOUT = 60_000;
const logDir = mkdtempSync(path.join(os.tmpdir(), 'processes-'));

afterAll(() => rmSync(logDir, { recursive: true, force: true }));

/** Whether a TCP connection to host:port is accepted. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(2000, () => done(false));
  });
}

describe('a service run as a local process', () => {
  test(
    'when it starts, then it answers on the port it reported, on 127.0.0.1 and not on another address',
    async () => {
      const api = await spawnService({ service: 'api', name: 'api-1', env: { POD_NAME: 'api-1' }, logDir });
      try {
        await api.ready();
        expect(api.port).toBeGreaterThan(0);
        expect((await fetch(`http://127.0.0.1:${api.port}/healthz`)).status).toBe(200);
        // All of 127/8 reaches this host on Linux; a server on every interface would answer here.
        expect(await accepts('127.0.0.2', api.port)).toBe(false);
      } finally {
        await api.kill();
      }
    },
    START_TIMEOUT,
  );

  test(
    'when it is restarted, then it reports the port it took this time and is ready there',
    async () => {
      const stage = await spawnService({ service: 'text-to-csv', name: 'text-to-csv', env: { DATA_DIR: path.join(logDir, 'data') }, logDir });
      try {
        await stage.ready();
        await stage.restart('SIGKILL');
        await stage.ready();
        expect((await fetch(`http://127.0.0.1:${stage.port}/readyz`)).status).toBe(200);
      } finally {
        await stage.kill();
      }
    },
    START_TIMEOUT,
  );

  test(
    'when it fails to start, then ready() names the service and its log',
    async () => {
      const api = await spawnService({ service: 'api', name: 'api-bad', env: { BODY_LIMIT: '', LOG_LEVEL: 'nonsense' }, logDir });
      await expect(api.ready()).rejects.toThrow(/api-bad exited \(1\) before it listened; see .*api-bad\.log/);
    },
    START_TIMEOUT,
  );
});
