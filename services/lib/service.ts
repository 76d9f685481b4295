// What every service process shares around its own logic: a logger, metrics, the HTTP shell
// on PORT, and a stop() that finishes the work in hand before resolving.
import type { Socket } from 'node:net';
import type { Express } from 'express';
import { buildId, DEFAULTS } from './config.ts';
import { createLogger, type Logger, type LogLevel } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createApp, listen } from './http.ts';

export interface Running {
  port: number;
  /** Serves a connection accepted by another process (see main.ts). */
  adopt(socket: Socket): void;
  stop(): Promise<void>;
}

export interface ServiceParts {
  logger: Logger;
  metrics: Metrics;
}

export interface ServiceOptions {
  name: string;
  /** 0 picks a free port, as the tests do. */
  port?: number;
  host?: string;
  logLevel?: LogLevel;
  /** Sets up the service's own work; returns what stop() must wait for. */
  setup(parts: ServiceParts): Promise<{ routes?: (app: Express) => void; ready?: () => boolean; stop?: () => Promise<void> }>;
}

export async function runService(o: ServiceOptions): Promise<Running & ServiceParts> {
  const logger = createLogger(o.name, o.logLevel);
  const metrics = createMetrics(o.name);
  const own = await o.setup({ logger, metrics });
  const server = await listen(createApp({ logger, metrics, ready: own.ready ?? (() => true), routes: own.routes, build: buildId() }), {
    port: o.port ?? DEFAULTS.port,
    host: o.host,
  });
  logger.info({ port: server.port }, `${o.name} listening`);
  return {
    port: server.port,
    adopt: server.adopt,
    logger,
    metrics,
    async stop() {
      await own.stop?.();
      await server.close();
      logger.info(`${o.name} stopped`);
    },
  };
}
