import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Running } from '../../lib/service.ts';
import { start } from '../src/service.ts';

const doc = { line: 1, mod: '-rw-r--r--', no: '1', user: 'root', group: 'root', usrno: '42', date: 'Nov 21 05:34', file: '/etc/hosts' };
let api: Running;
let base: string;

beforeAll(async () => {
  api = await start({ pod: 'api-test-pod', port: 0, host: '127.0.0.1', logLevel: 'silent', bodyLimit: '2kb' });
  base = `http://127.0.0.1:${api.port}`;
});
afterAll(() => api.stop());

const post = (path: string, body: string, type = 'application/json', headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, { method: 'POST', body, headers: { 'content-type': type, ...headers } });

describe('the api', () => {
  test.each(['/', '/api'])('when a valid document is posted to %s, then it answers ok with its pod name as JSON', async (path) => {
    const res = await post(path, JSON.stringify(doc));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({ response: 'ok', container: 'api-test-pod' });
  });

  test('when the JSON is malformed, then it answers 400 saying so', async () => {
    const res = await post('/', '{"mod": ');
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/malformed JSON/);
  });

  test('when fields are missing or ill-typed, then it answers 400 naming each field', async () => {
    const res = await post('/', JSON.stringify({ ...doc, usrno: 42, file: undefined }));
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toContain('usrno');
    expect(body.error).toContain('file');
  });

  test('when the body is larger than the limit, then it answers 413', async () => {
    const res = await post('/', JSON.stringify({ ...doc, file: 'x'.repeat(4096) }));
    expect(res.status).toBe(413);
  });

  test('when the body is not sent as JSON, then it answers 415', async () => {
    expect((await post('/', JSON.stringify(doc), 'text/plain')).status).toBe(415);
  });

  test('when the path is unknown, then it answers a JSON 404', async () => {
    const res = await fetch(`${base}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'no route for GET /nope' });
  });

  test('when NDJSON is posted to /bulk, then each line gets its own result in order', async () => {
    const body = [JSON.stringify(doc), 'not json', JSON.stringify({ ...doc, no: 'x' }), JSON.stringify({ ...doc, line: 2 })].join('\n');
    const res = await post('/bulk', body, 'application/x-ndjson');
    expect(res.status).toBe(200);
    const results = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(results).toEqual([
      { response: 'ok', container: 'api-test-pod' },
      { error: expect.stringContaining('malformed JSON') },
      { error: expect.stringContaining('no:') },
      { response: 'ok', container: 'api-test-pod' },
    ]);
  });

  test('when a request repeats an Idempotency-Key, then it is still answered and /stats counts a replay', async () => {
    const before = await (await fetch(`${base}/stats`)).json();
    for (let i = 0; i < 2; i++) await post('/', JSON.stringify(doc), 'application/json', { 'idempotency-key': 'batch:1' });
    const after = await (await fetch(`${base}/stats`)).json();
    expect(after.replays - before.replays).toBe(1);
    expect(after.documents.accepted - before.documents.accepted).toBe(2);
    expect(after).toMatchObject({ pod: 'api-test-pod', requests: { single: expect.any(Number), bulk: expect.any(Number) } });
  });

  test('when clients send hostile input, then it never crashes and keeps answering', async () => {
    const hostile = ['', 'null', '[]', '"str"', '{"__proto__":{"x":1}}', '\u0000\u0001', '{"mod":{"$gt":""}}', '1e999'];
    for (const body of hostile) {
      const res = await post('/', body);
      expect(res.status, body).toBeGreaterThanOrEqual(400);
      expect(res.status, body).toBeLessThan(500);
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  test('when /metrics is scraped, then it shows the document counters', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/k8s_pipe_api_documents_total\{outcome="accepted",service="api"\} \d+/);
  });
});
