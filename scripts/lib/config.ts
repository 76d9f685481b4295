// The only module of the scripts that reads process.env. Each script's header lists the
// variables it uses; their defaults live here, once.
import path from 'node:path';

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
  dataDir: path.resolve(env.DATA_DIR ?? './.data'),
  replicas: int('REPLICAS', 3),
  schedule: env.SCHEDULE ?? '*/1 * * * *',
  port: int('PORT', 8080),
  postMode: env.POST_MODE ?? 'single',
  logLevel: env.LOG_LEVEL ?? 'info',
};

export const isCI = Boolean(env.CI);
