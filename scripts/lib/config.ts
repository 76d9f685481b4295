// The only module of the scripts that reads process.env. Each script's header lists the
// variables it uses; their defaults live here, once.
import path from 'node:path';
import { DEFAULTS } from '../../services/lib/config.ts';

const env = process.env;

function int(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got ${JSON.stringify(raw)}`);
  return n;
}

/** Local mode (`npm start`). */
export const local = {
  dataDir: path.resolve(env.DATA_DIR ?? DEFAULTS.dataDir),
  replicas: int('REPLICAS', DEFAULTS.apiReplicas),
  schedule: env.SCHEDULE ?? '*/1 * * * *',
  port: int('PORT', DEFAULTS.port),
  postMode: env.POST_MODE ?? DEFAULTS.postMode,
  logLevel: env.LOG_LEVEL ?? DEFAULTS.logLevel,
};

/** The benchmark (`npm run bench`). */
export const bench = {
  sizes: list('BENCH_SIZES', '10000,100000,1000000').map(Number),
  modes: list('BENCH_MODES', 'single,bulk'),
};

/** The inner-loop benchmark (`npm run bench:loop`). */
export const benchLoop = {
  edits: int('BENCH_EDITS', 10),
};

function list(name: string, fallback: string): string[] {
  return (env[name] || fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

export const isCI = Boolean(env.CI);

/** The tests' own knobs. */
export const tests = {
  /** Replays the stop matrix (scripts/test/stops.test.ts) with the seed a run printed. */
  stopSeed: env.STOP_SEED ? int('STOP_SEED', 0) : undefined,
};

/** The Kind environment (`npm run deploy`, reset, logs, status, teardown). */
export const kind = {
  cluster: 'k8s-pipe',
  /** kind names the kubeconfig context after the cluster; every kubectl call pins it. */
  context: 'kind-k8s-pipe',
  namespace: 'k8s-pipe',
  /** Overrides the node image of kind-config.yaml (e.g. an offline-built one). */
  nodeImage: env.KIND_NODE_IMAGE || undefined,
  /** kind's own switch to another container engine (podman, nerdctl); preflight refuses any but docker. */
  provider: env.KIND_EXPERIMENTAL_PROVIDER || undefined,
  /** Time limit of each wait (nodes Ready, provisioner, rollouts), in seconds. */
  waitSeconds: int('WAIT_SECONDS', 180),
  /** How long the canary listing may take from its drop to its done/ summary, in seconds. */
  canarySeconds: int('CANARY_SECONDS', 60),
};

/**
 * Whether to colour what goes to `stream`: on a terminal, unless NO_COLOR is set (no-color.org);
 * FORCE_COLOR wins over both, off when "0" or "false", as in Node's own terminal handling.
 */
export function colourFor(stream: { isTTY?: boolean }, vars: NodeJS.ProcessEnv = env): boolean {
  if (vars.FORCE_COLOR !== undefined) return !['0', 'false'].includes(vars.FORCE_COLOR);
  if (vars.NO_COLOR) return false;
  return Boolean(stream.isTTY) && vars.TERM !== 'dumb';
}
