import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { createLogger } from '../../lib/logger.ts';
import { createPoster, StoppedError, type Poster } from '../src/poster.ts';

let server: http.Server | undefined;
let poster: Poster | undefined;
afterEach(async () => {
  poster?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r(undefined));
});

/** A loopback api whose answer to the n-th request (0-based) `reply` decides; undefined means never answer. */
async function fakeApi(reply: (n: number, req: http.IncomingMessage) => { status: number; body: unknown } | undefined): Promise<string> {
  let n = 0;
  server = http.createServer((req, res) => {
    req.resume();
    const r = reply(n++, req);
    if (r) res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

const logger = createLogger('test', 'silent');

describe('posting documents', () => {
  test('when the api does not answer in time, then the request is abandoned and retried until it is answered', async () => {
    const url = await fakeApi((n) => (n === 0 ? undefined : { status: 200, body: { response: 'ok', container: 'api-x' } }));
    poster = createPoster({ apiUrl: url, concurrency: 2, logger, stopped: () => false, timeoutMs: 300 });
    expect(await poster.postOne('{}', 'b:1')).toEqual({ status: 200, pod: 'api-x' });
  });

  test('when the api answers 503 and then ok, then the document is delivered and the retry counted', async () => {
    const url = await fakeApi((n) => (n < 2 ? { status: 503, body: { error: 'busy' } } : { status: 200, body: { response: 'ok', container: 'api-y' } }));
    let retries = 0;
    poster = createPoster({ apiUrl: url, concurrency: 2, logger, stopped: () => false, onRetry: () => retries++ });
    expect(await poster.postOne('{}', 'b:2')).toEqual({ status: 200, pod: 'api-y' });
    expect(retries).toBe(2);
  });

  test('when the api refuses a document with 400, then it is not retried and the reason is kept', async () => {
    const url = await fakeApi(() => ({ status: 400, body: { error: 'invalid document: no: must be a link count (digits)' } }));
    poster = createPoster({ apiUrl: url, concurrency: 2, logger, stopped: () => false });
    expect(await poster.postOne('{}', 'b:3')).toEqual({ status: 400, error: 'invalid document: no: must be a link count (digits)' });
  });

  test('when a request is sent, then it carries the Idempotency-Key', async () => {
    const keys: Array<string | undefined> = [];
    const url = await fakeApi((_n, req) => {
      keys.push(req.headers['idempotency-key'] as string | undefined);
      return { status: 200, body: { response: 'ok', container: 'api-z' } };
    });
    poster = createPoster({ apiUrl: url, concurrency: 2, logger, stopped: () => false });
    await poster.postOne('{}', 'batch-1:42');
    expect(keys).toEqual(['batch-1:42']);
  });

  test('when stopping while the api is down, then posting gives up with StoppedError instead of waiting', async () => {
    let stopped = false;
    poster = createPoster({ apiUrl: 'http://127.0.0.1:1', concurrency: 1, logger, stopped: () => stopped });
    const pending = poster.postOne('{}', 'b:4');
    setTimeout(() => (stopped = true), 200);
    await expect(pending).rejects.toBeInstanceOf(StoppedError);
  });
});
