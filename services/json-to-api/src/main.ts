import { readEnv } from '../../lib/config.ts';
import { runMain } from '../../lib/main.ts';
import { start } from './service.ts';

runMain('json-to-api', () => {
  const env = readEnv('json-to-api');
  return start({
    dataDir: env.DATA_DIR,
    apiUrl: env.API_URL,
    mode: env.POST_MODE,
    concurrency: env.CONCURRENCY,
    bulkSize: env.BULK_SIZE,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    docLogLevel: env.DOC_LOG_LEVEL,
    retention: { maxAgeMs: env.RETAIN_HOURS * 3600_000, maxBatches: env.RETAIN_BATCHES },
  });
});
