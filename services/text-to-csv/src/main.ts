import { readEnv } from '../../lib/config.ts';
import { runMain } from '../../lib/main.ts';
import { start } from './service.ts';

runMain('text-to-csv', () => {
  const env = readEnv('text-to-csv');
  return start({ dataDir: env.DATA_DIR, port: env.PORT, host: env.HOST, logLevel: env.LOG_LEVEL, partLines: env.PART_LINES });
});
