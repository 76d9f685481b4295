import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newBatchId } from '../../lib/batches.ts';
import { ensureLayout } from '../../lib/layout.ts';
import type { Running } from '../../lib/service.ts';
import { start as startApi } from '../../api/src/service.ts';
import { start } from '../src/service.ts';
import type { DashboardState } from '../src/model.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'dashboard-service-'));
const batch = newBatchId('served');
const pods = { 'api-a': 3, 'api-b': 2 };
let api: Running;
let dashboard: Running;
let url: string;

beforeAll(async () => {
  const l = await ensureLayout(root);
  const lines = Object.entries(pods).flatMap(([pod, n]) => Array.from({ length: n }, () => pod));
  writeFileSync(l.receipts(batch), lines.map((pod, i) => JSON.stringify({ pos: i + 1, outcome: 'ok', pod, at: Date.now() })).join('\n') + '\n');
  writeFileSync(l.done(batch), JSON.stringify({ batch, finishedAt: new Date().toISOString() }));
  api = await startApi({ pod: 'api-live', port: 0, host: '127.0.0.1', logLevel: 'silent' });
  dashboard = await start({ dataDir: root, apiStatsUrl: `http://127.0.0.1:${api.port}/stats`, refreshMs: 100, port: 0, host: '127.0.0.1', logLevel: 'silent' });
  url = `http://127.0.0.1:${dashboard.port}`;
});
afterAll(async () => {
  await dashboard?.stop();
  await api?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** The first event of the stream, read with a plain request so the test sees the wire format. */
function firstEvent(url: string): Promise<{ contentType: string | undefined; state: DashboardState; req: http.ClientRequest }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/events`, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        const data = /^data: (.*)$/m.exec(text);
        if (data) resolve({ contentType: res.headers['content-type'], state: JSON.parse(data[1]!) as DashboardState, req });
      });
    });
    req.on('error', reject);
  });
}

describe('the dashboard service', () => {
  test('when the page is asked for, then it is one HTML document with its script inline', async () => {
    const res = await fetch(url);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<title>k8s-pipe');
    expect(html).toContain('new EventSource("events")');
  });

  test('when /state is asked for, then it has the batch, its replicas, and the replica answering /stats as live', async () => {
    const state = (await (await fetch(`${url}/state`)).json()) as DashboardState;
    expect(state.batches).toEqual([expect.objectContaining({ batch, stage: 'done', pods })]);
    expect(state.replicas).toEqual([...Object.entries(pods).map(([pod, documents]) => ({ pod, documents, live: false })), { pod: 'api-live', documents: 0, live: true }]);
  });

  test('when a page subscribes to /events, then it gets the state as server-sent events, and stop() ends the stream', async () => {
    const own = await start({ dataDir: root, port: 0, host: '127.0.0.1', logLevel: 'silent' });
    const { contentType, state, req } = await firstEvent(`http://127.0.0.1:${own.port}`);
    expect(contentType).toBe('text/event-stream');
    expect(state.batches[0]?.batch).toBe(batch);
    const closed = new Promise<void>((resolve) => req.once('close', () => resolve()));
    await own.stop();
    await closed;
  });
});
