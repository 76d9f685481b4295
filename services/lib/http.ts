// The HTTP shell every service shares: health, readiness, metrics, JSON 404s and the single
// error handler. Services add their own routes in `routes`.
import type { AddressInfo, Socket } from 'node:net';
import type { Server } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { HttpError } from './errors.ts';

export interface AppOptions {
  logger: Logger;
  metrics: Metrics;
  ready: () => boolean;
  routes?: (app: Express) => void;
  /** The code's build, in dev mode (config.ts, buildId). */
  build?: string;
}

export function createApp({ logger, metrics, ready, routes, build }: AppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', ...(build ? { build } : {}) });
  });
  app.get('/readyz', (_req, res) => {
    res.status(ready() ? 200 : 503).json({ status: ready() ? 'ready' : 'starting' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  routes?.(app);
  app.use((req, _res, next) => next(new HttpError(404, `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler(logger));
  return app;
}

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

function errorHandler(logger: Logger) {
  return (err: BodyParserError, req: Request, res: Response, _next: NextFunction) => {
    const known = toHttpError(err);
    if (known.status >= 500) logger.error({ err, path: req.path }, 'request failed');
    if (res.headersSent) return res.end();
    res.status(known.status).json({ error: known.message, ...(known.details ? { details: known.details } : {}) });
  };
}

function toHttpError(err: BodyParserError): HttpError {
  if (err instanceof HttpError) return err;
  if (err.type === 'entity.parse.failed') return new HttpError(400, `malformed JSON: ${err.message}`);
  if (err.type === 'entity.too.large') return new HttpError(413, 'request body too large');
  if (typeof err.status === 'number' && err.status >= 400 && err.status < 500) return new HttpError(err.status, err.message);
  return new HttpError(500, 'internal error');
}

// Behind a Service a kept-alive connection stays on one pod for good, so a restarted or added
// replica would get no traffic. An answer on a connection older than this closes it, so clients
// reconnect and spread again within seconds, busy or quiet. Node's count of requests a
// connection (maxRequestsPerSocket) paid a handshake every 100 requests at full speed, about 15 %
// of a client's CPU a document in single mode, and never recycled a quiet connection.
const MAX_CONNECTION_AGE_MS = 5000;

export interface Listening {
  port: number;
  /** Serves a connection accepted elsewhere, as if this server had accepted it. */
  adopt(socket: Socket): void;
  close(): Promise<void>;
}

export interface ListenOptions {
  port: number;
  host?: string;
  maxConnectionAgeMs?: number;
}

export function listen(app: Express, { port, host, maxConnectionAgeMs = MAX_CONNECTION_AGE_MS }: ListenOptions): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server: Server = host ? app.listen(port, host) : app.listen(port);
    server.keepAliveTimeout = 65_000;
    const openedAt = new WeakMap<Socket, number>();
    server.on('connection', (socket: Socket) => openedAt.set(socket, Date.now()));
    server.prependListener('request', (req, res) => {
      if (Date.now() - (openedAt.get(req.socket) ?? 0) > maxConnectionAgeMs) res.setHeader('connection', 'close');
    });
    server.once('error', reject);
    server.once('listening', () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        adopt: (socket) => server.emit('connection', socket),
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      }),
    );
  });
}
