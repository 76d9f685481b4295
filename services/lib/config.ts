// The only module of the services that reads process.env: each service asks for its own
// typed, validated settings here, so a bad value stops start-up with a message naming it.
import os from 'node:os';
import { z } from 'zod';
import { ConfigError } from './errors.ts';

const port = z.coerce.number().int().min(0).max(65535);
const positive = z.coerce.number().int().positive();
const level = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const common = {
  DATA_DIR: z.string().min(1).default('./.data'),
  PORT: port.default(8080),
  LOG_LEVEL: level.default('info'),
};

const schemas = {
  api: z.object({
    PORT: common.PORT,
    LOG_LEVEL: common.LOG_LEVEL,
    POD_NAME: z.string().min(1).default(os.hostname()),
    BODY_LIMIT: z.string().default('100kb'),
    BULK_LIMIT: z.string().default('16mb'),
  }),
  getdata: z.object({
    ...common,
    LIST_ROOT: z.string().min(1).default('/'),
    MAX_FILES: positive.default(2000),
    SCHEDULE: z.string().optional(),
  }),
  'text-to-csv': z.object(common),
  'csv-to-json': z.object(common),
  'json-to-api': z.object({
    ...common,
    API_URL: z.url().default('http://api'),
    POST_MODE: z.enum(['single', 'bulk']).default('single'),
    CONCURRENCY: positive.max(1024).default(16),
    BULK_SIZE: positive.max(100_000).default(500),
    DOC_LOG_LEVEL: level.default('info'),
    // Receipts, summaries and dead letters of finished batches older than this, or beyond this
    // many, are pruned (services/lib/retention.ts).
    RETAIN_HOURS: z.coerce.number().positive().default(24),
    RETAIN_BATCHES: positive.default(10_000),
  }),
  dashboard: z.object({
    ...common,
    API_STATS_URL: z.url().optional(),
  }),
};

export type ServiceName = keyof typeof schemas;
export type Env<S extends ServiceName> = z.infer<(typeof schemas)[S]>;

export function readEnv<S extends ServiceName>(service: S, env: NodeJS.ProcessEnv = process.env): Env<S> {
  const parsed = schemas[service].safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`${service}: invalid environment: ${problems.join('; ')}`);
  }
  return parsed.data as Env<S>;
}
