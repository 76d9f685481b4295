// The api's HTTP surface: one document at POST / or /api, many at POST /bulk, and GET /stats.
import express, { type Express, type Request, type Response } from 'express';
import { checkDoc } from '../../lib/document.ts';
import { HttpError } from '../../lib/errors.ts';
import type { Metrics } from '../../lib/metrics.ts';
import { answerBulk } from './bulk.ts';
import type { Counters } from './counters.ts';

export interface RouteOptions {
  counters: Counters;
  metrics: Metrics;
  bodyLimit: string;
  bulkLimit: string;
}

export function apiRoutes({ counters, metrics, bodyLimit, bulkLimit }: RouteOptions) {
  const docs = metrics.counter('api_documents_total', 'Documents answered', ['outcome']);
  const replays = metrics.counter('api_replays_total', 'Requests whose Idempotency-Key was seen before');

  const single = (req: Request, res: Response) => {
    counters.requests.single += 1;
    if (req.body === undefined) throw new HttpError(415, 'send the document as JSON with Content-Type: application/json');
    const checked = checkDoc(req.body);
    if (!checked.ok) {
      counters.documents.rejected += 1;
      docs.inc({ outcome: 'rejected' });
      throw new HttpError(400, `invalid document: ${checked.problems.join('; ')}`, checked.problems);
    }
    if (counters.seen(req.get('idempotency-key'))) replays.inc();
    counters.documents.accepted += 1;
    docs.inc({ outcome: 'accepted' });
    res.json({ response: 'ok', container: counters.pod });
  };

  const bulk = (req: Request, res: Response) => {
    counters.requests.bulk += 1;
    if (typeof req.body !== 'string') throw new HttpError(415, 'send documents as NDJSON with Content-Type: application/x-ndjson');
    if (counters.seen(req.get('idempotency-key'))) replays.inc();
    const { results, accepted, rejected } = answerBulk(req.body, counters.pod);
    counters.documents.accepted += accepted;
    counters.documents.rejected += rejected;
    docs.inc({ outcome: 'accepted' }, accepted);
    docs.inc({ outcome: 'rejected' }, rejected);
    // Most results are the same ok answer: serialize it once.
    const ok = JSON.stringify({ response: 'ok', container: counters.pod });
    res.type('application/x-ndjson').send(results.map((r) => ('response' in r ? ok : JSON.stringify(r))).join('\n') + (results.length ? '\n' : ''));
  };

  return (app: Express) => {
    const json = express.json({ limit: bodyLimit });
    app.post(['/', '/api'], json, single);
    app.post('/bulk', express.text({ type: 'application/x-ndjson', limit: bulkLimit }), bulk);
    app.get('/stats', (_req, res) => {
      res.json(counters.snapshot());
    });
  };
}
