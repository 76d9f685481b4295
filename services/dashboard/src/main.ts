import { readEnv } from '../../lib/config.ts';
import { runMain } from '../../lib/main.ts';
import { start } from './service.ts';

runMain('dashboard', () => {
  const env = readEnv('dashboard');
  return start({ dataDir: env.DATA_DIR, apiStatsUrl: env.API_STATS_URL, port: env.PORT, host: env.HOST, logLevel: env.LOG_LEVEL });
});
