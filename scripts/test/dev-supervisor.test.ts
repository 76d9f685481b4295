// The dev supervisor with real processes: a new bundle swapped in by rename restarts the service
// politely (SIGTERM, then the new build), a stop is passed on, and an exit of the service's own
// is the supervisor's exit, as the kubelet must see it.
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIdOf, supervise, type Supervisor } from '../lib/dev/supervisor.ts';

const SWAP_MS = 10_000;

/** A service that logs its build as it starts and as it stops, and exits with EXIT_CODE when told to by EXIT_NOW. */
const service = (version: number) => `
const fs = require('node:fs');
const log = (what) => fs.appendFileSync(process.env.LOG, JSON.stringify({ version: ${version}, build: process.env.BUILD_ID, what }) + '\\n');
log('started');
if (process.env.EXIT_NOW) process.exit(Number(process.env.EXIT_NOW));
process.on('SIGTERM', () => { log('stopped'); process.exit(0); });
setInterval(() => {}, 1000);
`;

describe('dev supervisor', () => {
  let dir = '';
  let running: Supervisor | undefined;
  const bundle = () => path.join(dir, 'main.cjs');
  const logged = async () =>
    (await readFile(path.join(dir, 'log'), 'utf8').catch(() => ''))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { version: number; build: string; what: string });
  /** As dev mode delivers: written beside, then renamed into place. */
  const deliver = async (version: number) => {
    await writeFile(path.join(dir, '.incoming'), service(version));
    await rename(path.join(dir, '.incoming'), bundle());
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'k8s-pipe-supervisor-'));
    await deliver(1);
  });
  afterEach(async () => {
    running?.stop('SIGKILL');
    await running?.done;
    running = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it(
    'when a new bundle is renamed into place, then the old build is stopped with SIGTERM and the new one runs with its BUILD_ID',
    async () => {
      running = supervise(bundle(), { ...process.env, LOG: path.join(dir, 'log') });
      await expect.poll(logged, { timeout: SWAP_MS }).toEqual([{ version: 1, build: buildIdOf(Buffer.from(service(1))), what: 'started' }]);
      await deliver(2);
      await expect.poll(logged, { timeout: SWAP_MS }).toEqual([
        { version: 1, build: buildIdOf(Buffer.from(service(1))), what: 'started' },
        { version: 1, build: buildIdOf(Buffer.from(service(1))), what: 'stopped' },
        { version: 2, build: buildIdOf(Buffer.from(service(2))), what: 'started' },
      ]);
    },
    SWAP_MS * 3,
  );

  it(
    'when the supervisor gets SIGTERM, then the service gets it, and the supervisor ends with its exit code',
    async () => {
      running = supervise(bundle(), { ...process.env, LOG: path.join(dir, 'log') });
      await expect.poll(async () => (await logged()).length, { timeout: SWAP_MS }).toBe(1);
      running.stop('SIGTERM');
      expect(await running.done).toBe(0);
      expect((await logged()).map((l) => l.what)).toEqual(['started', 'stopped']);
    },
    SWAP_MS * 2,
  );

  it(
    'when the service exits by itself, then the supervisor ends with the same code, for the kubelet to act on',
    async () => {
      running = supervise(bundle(), { ...process.env, LOG: path.join(dir, 'log'), EXIT_NOW: '3' });
      expect(await running.done).toBe(3);
    },
    SWAP_MS,
  );
});
