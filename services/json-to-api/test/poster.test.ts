import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { createLogger } from '../../lib/logger.ts';
import { StoppedError } from '../../lib/errors.ts';
import { createPoster, type Poster } from '../src/poster.ts';

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
const running = new AbortController().signal;

describe('posting documents', () => {
  test('when the api does not answer in time, then the request is abandoned and retried until it is answered', async () => {
    const url = await fakeApi((n) => (n === 0 ? undefined : { status: 200, body: { response: 'ok', container: 'api-x' } }));
    poster = createPoster({ apiUrl: url, concurrency: 2, logger, timeoutMs: 300 });
    expect(await poster.postOne('{}', 'b:1', running)).toEqual({ status: 200, pod: 'api-x' });
  });

  test('when the api answers 503 and then ok, then the document is delivered and the retry counted', async () => {
    const url = await fakeApi((n) => (n < 2 ? { status: 503, body: { error: 'busy' } } : { status: 200, body: { response: 'ok', container: 'api-y' } }));
    let retries = 0;
    poster = createPoster({ apiUrl: url, concurrency: 2, logger, onRetry: () => retries++ });
    expect(await poster.postOne('{}', 'b:2', running)).toEqual({ status: 200, pod: 'api-y' });
    expect(retries).toBe(2);
  });

  test('when the api refuses a document with 400, then it is not retried and the reason is kept', async () => {
    const url = await fakeApi(() => ({ status: 400, body: { error: 'invalid document: no: must be a link count (digits)' } }));
    poster = createPoster({ apiUrl: url, concurrency: 2, logger });
    expect(await poster.postOne('{}', 'b:3', running)).toEqual({ status: 400, error: 'invalid document: no: must be a link count (digits)' });
  });

  test('when a request is sent, then it carries the Idempotency-Key', async () => {
    const keys: Array<string | undefined> = [];
    const url = await fakeApi((_n, req) => {
      keys.push(req.headers['idempotency-key'] as string | undefined);
      return { status: 200, body: { response: 'ok', container: 'api-z' } };
    });
    poster = createPoster({ apiUrl: url, concurrency: 2, logger });
    await poster.postOne('{}', 'batch-1:42', running);
    expect(keys).toEqual(['batch-1:42']);
  });

  test('when stopping while the api is down, then posting gives up with StoppedError at once instead of waiting out its backoff', async () => {
    poster = createPoster({ apiUrl: 'http://127.0.0.1:1', concurrency: 1, logger });
    const stop = new AbortController();
    const pending = poster.postOne('{}', 'b:4', stop.signal);
    setTimeout(() => stop.abort(new StoppedError('stopping')), 200);
    await expect(pending).rejects.toBeInstanceOf(StoppedError);
  });

  test('when requests in flight are abandoned at a stop, then each ends with StoppedError', async () => {
    const url = await fakeApi(() => undefined);
    poster = createPoster({ apiUrl: url, concurrency: 2, logger });
    const pending = [poster.postOne('{}', 'b:5', running), poster.postBulk(['{}'], 'b:6-7', running)];
    setTimeout(() => poster!.abortInFlight(), 200);
    for (const p of pending) await expect(p).rejects.toBeInstanceOf(StoppedError);
  });

  test('when the api refuses a bulk request as a whole, then RejectedError carries its status and reason', async () => {
    const url = await fakeApi(() => ({ status: 413, body: { error: 'request body too large' } }));
    poster = createPoster({ apiUrl: url, concurrency: 1, logger });
    await expect(poster.postBulk(['{}', '{}'], 'b:8-9', running)).rejects.toMatchObject({ name: 'RejectedError', status: 413, message: 'request body too large' });
  });
});
