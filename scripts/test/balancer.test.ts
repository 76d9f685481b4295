// The local stand-in for the api Service: connections reach the replicas, are spread across
// them, and skip a replica that is gone, with the replicas run as `npm start` runs them.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startBalancer, type Balancer } from '../local/balancer.ts';
import { spawnService, type ServiceProcess } from '../local/processes.ts';

const REPLICAS = 3;
const REQUESTS = 60;
const START_TIMEOUT = 60_000;
const logDir = mkdtempSync(path.join(os.tmpdir(), 'balancer-'));
let replicas: ServiceProcess[];
let balancer: Balancer;

beforeAll(async () => {
  replicas = await Promise.all(
    Array.from({ length: REPLICAS }, (_, i) => spawnService({ service: 'api', name: `api-${i + 1}`, env: { POD_NAME: `api-${i + 1}`, LOG_LEVEL: 'warn' }, logDir })),
  );
  await Promise.all(replicas.map((r) => r.ready()));
  balancer = await startBalancer(() => replicas);
}, START_TIMEOUT);

afterAll(async () => {
  await Promise.all(replicas.map((r) => r.kill('SIGTERM')));
  await balancer.close();
  rmSync(logDir, { recursive: true, force: true });
});

/** One request on a connection of its own, so that each is placed by the balancer. */
function podOfNewConnection(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/stats', agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve((JSON.parse(body) as { pod: string }).pod) : reject(new Error(`status ${res.statusCode}: ${body}`))));
      })
      .on('error', reject);
  });
}

const podsOf = (n: number) => Promise.all(Array.from({ length: n }, () => podOfNewConnection(balancer.port)));

describe('the local Service stand-in', () => {
  test('when clients open new connections, then the replicas answer them and every replica gets some', async () => {
    const pods = await podsOf(REQUESTS);
    expect(new Set(pods)).toEqual(new Set(replicas.map((r) => r.name)));
  });

  test('when a replica is killed, then every new connection is answered by the others', async () => {
    const gone = replicas[1]!;
    await gone.kill('SIGKILL');
    const pods = await podsOf(REQUESTS);
    expect(pods).not.toContain(gone.name);
    expect(new Set(pods).size).toBe(REPLICAS - 1);
  });
});
