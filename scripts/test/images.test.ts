import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildImages, SERVICES } from '../lib/images.ts';
import { imagesDir } from '../lib/paths.ts';
import { base, dataDir, hostPort, imageLayers, imageSize, logs, runOnce, start, startupMs, useImages } from './docker.ts';

const STARTING = { timeout: 10_000, interval: 100 };
// The issue asks for images that start "in well under a second".
const START_LIMIT_MS = 1000;
// getdata lists once and exits unless given a schedule; one that never fires keeps it serving.
const NEVER = '0 0 1 1 *';

const image = useImages();

describe('service images', () => {
  it.each(SERVICES)('when the %s image starts read-only as uid 1000, then /healthz answers and start-up takes under a second', async (service) => {
    const id = await start(image(service), { data: dataDir(), publish: true, env: service === 'getdata' ? { SCHEDULE: NEVER } : {} });
    const port = await hostPort(id);
    const health = async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.status;
    await expect.poll(health, STARTING).toBe(200);
    const ms = await startupMs(id);
    console.log(`${service}: listening ${ms} ms after its container started`);
    expect(ms, await logs(id)).toBeLessThan(START_LIMIT_MS);
  });

  it('when getdata runs as the CronJob runs it (no SCHEDULE), then it writes one listing and exits 0', async () => {
    const data = dataDir();
    expect(await runOnce(image('getdata'), { data, env: { MAX_FILES: '100' } })).toBe(0);
    expect(readdirSync(path.join(data, 'txt')).filter((f) => f.endsWith('.txt'))).toHaveLength(1);
  });

  it('when the images are inspected, then all share every layer but their last, a small one of their own', async () => {
    const from = base().ref;
    const node = await imageLayers(from);
    const nodeSize = await imageSize(from);
    const shared = (await imageLayers(image('api').ref)).slice(0, -1);
    expect(shared.slice(0, node.length)).toEqual(node);
    const sizes: string[] = [];
    for (const service of SERVICES) {
      const { ref } = image(service);
      expect((await imageLayers(ref)).slice(0, -1)).toEqual(shared);
      const size = await imageSize(ref);
      expect(size - nodeSize).toBeLessThan(10 * 1024 * 1024);
      sizes.push(`${ref}  ${(size / 1e6).toFixed(1)} MB (${((size - nodeSize) / 1e6).toFixed(1)} MB over ${from})`);
    }
    console.log(`image sizes:\n  ${sizes.join('\n  ')}`);
  });

  it('when nothing changed, then building again builds nothing', async () => {
    expect(await buildImages(SERVICES.map(image), base())).toEqual([]);
    expect(SERVICES.every((s) => existsSync(path.join(imagesDir, s, 'main.mjs')))).toBe(true);
  });
});
