// api: answers each document with {"response":"ok","container":"<pod name>"}, as the
// original's replicas did, but as valid JSON and only for valid documents.
import { DEFAULTS } from '../../lib/config.ts';
import type { LogLevel } from '../../lib/logger.ts';
import { runService, type Running } from '../../lib/service.ts';
import { Counters } from './counters.ts';
import { apiRoutes } from './routes.ts';

export interface ApiOptions {
  pod: string;
  port?: number;
  host?: string;
  logLevel?: LogLevel;
  bodyLimit?: string;
  bulkLimit?: string;
}

export function start(o: ApiOptions): Promise<Running> {
  return runService({
    name: 'api',
    port: o.port,
    host: o.host,
    logLevel: o.logLevel,
    async setup({ metrics }) {
      const counters = new Counters(o.pod);
      return { routes: apiRoutes({ counters, metrics, bodyLimit: o.bodyLimit ?? DEFAULTS.bodyLimit, bulkLimit: o.bulkLimit ?? DEFAULTS.bulkLimit }) };
    },
  });
}
