import { readEnv } from '../../lib/config.ts';
import { runMain } from '../../lib/main.ts';
import { start } from './service.ts';

runMain('getdata', async () => {
  const env = readEnv('getdata');
  const running = await start({
    dataDir: env.DATA_DIR,
    root: env.LIST_ROOT,
    maxFiles: env.MAX_FILES,
    schedule: env.SCHEDULE,
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
  });
  if (env.SCHEDULE) return running;
  // A CronJob run: one listing, then exit with its outcome.
  const ok = await running.first.then(
    () => true,
    () => false,
  );
  await running.stop();
  process.exit(ok ? 0 : 1);
});
