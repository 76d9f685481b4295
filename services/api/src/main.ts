import { readEnv } from '../../lib/config.ts';
import { runMain } from '../../lib/main.ts';
import { start } from './service.ts';

runMain('api', () => {
  const env = readEnv('api');
  return start({ pod: env.POD_NAME, port: env.PORT, host: env.HOST, logLevel: env.LOG_LEVEL, bodyLimit: env.BODY_LIMIT, bulkLimit: env.BULK_LIMIT });
});
