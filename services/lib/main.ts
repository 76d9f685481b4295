// The one exit path of every service process: start, stop cleanly on SIGTERM/SIGINT, and
// exit non-zero with a JSON log line when start-up fails.
import { createLogger } from './logger.ts';
import type { Running } from './service.ts';

export function runMain(service: string, start: () => Promise<Running>): void {
  const log = createLogger(service);
  start().then(
    (running) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'stopping');
        running.stop().then(
          () => process.exit(0),
          (err: unknown) => {
            log.error({ err }, 'stop failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
    },
    (err: unknown) => {
      log.fatal({ err }, 'start failed');
      process.exit(1);
    },
  );
}
