import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDir, logs, network, runOnce, start, useImages } from './docker.ts';

// A listing of this many lines flows through in seconds; the limit leaves room for a slow CI box.
const LINES = 300;
const FLOWING = { timeout: 90_000, interval: 500 };
const REPLICAS = ['api-1', 'api-2', 'api-3'];

const image = useImages();

const files = (dir: string, sub: string) => readdirSync(path.join(dir, sub)).filter((f) => !f.startsWith('.'));

describe('the pipeline as containers', () => {
  it('when getdata drops a listing on the shared volume, then its documents come back answered by several api replicas', async () => {
    const data = dataDir();
    const net = await network();
    // Three api replicas behind one DNS name, as Service `api` puts them behind one address.
    for (const pod of REPLICAS) await start(image('api'), { network: net, alias: 'api', env: { POD_NAME: pod } });
    // Service `api` maps port 80 to 8080; on a Docker network the containers' own port is used.
    const env = { API_URL: 'http://api:8080' };
    await start(image('text-to-csv'), { network: net, data });
    await start(image('csv-to-json'), { network: net, data });
    const poster = await start(image('json-to-api'), { network: net, data, env });
    expect(await runOnce(image('getdata'), { data, env: { MAX_FILES: String(LINES) } })).toBe(0);

    const done = () => files(data, 'done');
    try {
      await expect.poll(done, FLOWING).toHaveLength(1);
    } catch (err) {
      const last = (await logs(poster)).split('\n').slice(-5).join('\n');
      throw new Error(`${(err as Error).message}\njson-to-api's last words:\n${last}`, { cause: err });
    }
    const batch = done()[0]!.replace(/\.json$/, '');
    const summary = JSON.parse(readFileSync(path.join(data, 'done', `${batch}.json`), 'utf8')) as { lines: number; ok: number; pods: Record<string, number> };
    const receipts = readFileSync(path.join(data, 'receipts', `${batch}.ndjson`), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { outcome: string; pod?: string });

    expect(summary.lines).toBeGreaterThan(LINES / 2);
    expect(receipts).toHaveLength(summary.lines);
    expect(receipts.filter((r) => r.outcome === 'ok').length).toBe(summary.ok);
    const pods = new Set(receipts.map((r) => r.pod).filter(Boolean));
    expect([...pods].every((p) => REPLICAS.includes(p!))).toBe(true);
    expect(pods.size).toBeGreaterThanOrEqual(2);
    console.log(`${receipts.length} documents answered by ${pods.size} replicas: ${JSON.stringify(summary.pods)}`);
    // Every stage consumed its input: nothing is left between the stages.
    for (const stage of ['txt', 'csv', 'json']) expect(files(data, stage)).toEqual([]);
  }, 120_000);
});
