// The only module of the services that reads process.env: each service asks for its own
// typed, validated settings here, so a bad value stops start-up with a message naming it. The
// defaults live here once; a service started in-process without a setting falls back to them.
import os from 'node:os';
import * as z from 'zod';
import { ConfigError } from './errors.ts';
import type { ServiceName } from './pipeline.ts';

export const DEFAULTS = {
  dataDir: './.data',
  port: 8080,
  logLevel: 'info',
  /** How long a file dropped by hand must hold still before a stage takes it (Settle in batches.ts). */
  settle: { wholeMs: 100, unfinishedMs: 2000 },
  /** api replicas, in local mode and behind the cluster's Service. */
  apiReplicas: 3,
  apiUrl: 'http://api',
  postMode: 'single',
  concurrency: 16,
  bulkSize: 500,
  /** Rows in a part of a big batch, which a converter hands on before it has written the rest. */
  partLines: 250_000,
  docLogLevel: 'info',
  retainHours: 24,
  retainBatches: 10_000,
  bodyLimit: '100kb',
  bulkLimit: '16mb',
  listRoot: '/',
  maxFiles: 2000,
} as const;

const port = z.coerce.number().int().min(0).max(65535);
const positive = z.coerce.number().int().positive();
const level = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const common = {
  DATA_DIR: z.string().min(1).default(DEFAULTS.dataDir),
  PORT: port.default(DEFAULTS.port),
  // Unset, a service listens on every interface, as a pod must; npm start sets 127.0.0.1.
  HOST: z.string().min(1).optional(),
  LOG_LEVEL: level.default(DEFAULTS.logLevel),
};

/** The converters' settings. */
const fileStage = z.object({ ...common, PART_LINES: positive.default(DEFAULTS.partLines) });

const own = {
  api: z.object({
    PORT: common.PORT,
    HOST: common.HOST,
    LOG_LEVEL: common.LOG_LEVEL,
    POD_NAME: z.string().min(1).default(os.hostname()),
    BODY_LIMIT: z.string().default(DEFAULTS.bodyLimit),
    BULK_LIMIT: z.string().default(DEFAULTS.bulkLimit),
  }),
  getdata: z.object({
    ...common,
    LIST_ROOT: z.string().min(1).default(DEFAULTS.listRoot),
    MAX_FILES: positive.default(DEFAULTS.maxFiles),
    SCHEDULE: z.string().optional(),
  }),
  'json-to-api': z.object({
    ...common,
    API_URL: z.url().default(DEFAULTS.apiUrl),
    POST_MODE: z.enum(['single', 'bulk']).default(DEFAULTS.postMode),
    CONCURRENCY: positive.max(1024).default(DEFAULTS.concurrency),
    BULK_SIZE: positive.max(100_000).default(DEFAULTS.bulkSize),
    DOC_LOG_LEVEL: level.default(DEFAULTS.docLogLevel),
    // Receipts, summaries and dead letters of finished batches older than this, or beyond this
    // many, are pruned (services/lib/retention.ts).
    RETAIN_HOURS: z.coerce.number().positive().default(DEFAULTS.retainHours),
    RETAIN_BATCHES: positive.default(DEFAULTS.retainBatches),
  }),
  dashboard: z.object({
    ...common,
    API_STATS_URL: z.url().optional(),
  }),
};

type Own = typeof own;
export type Env<S extends ServiceName> = S extends keyof Own ? z.infer<Own[S]> : z.infer<typeof fileStage>;

/**
 * Which build of the code this process runs: set by dev mode's supervisor (a hash of the bundle),
 * reported by /healthz so that `npm run dev` can tell when every pod serves an edit. Unset in
 * image mode, where the image tag says it.
 */
export const buildId = (env: NodeJS.ProcessEnv = process.env): string | undefined => env.BUILD_ID || undefined;

export function readEnv<S extends ServiceName>(service: S, env: NodeJS.ProcessEnv = process.env): Env<S> {
  const schema: z.ZodType = service in own ? own[service as keyof Own] : fileStage;
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`${service}: invalid environment: ${problems.join('; ')}`);
  }
  return parsed.data as Env<S>;
}
