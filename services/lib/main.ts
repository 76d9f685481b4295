// The one exit path of every service process: start, stop cleanly on SIGTERM/SIGINT, and
// exit non-zero with a JSON log line when start-up fails.
import { Socket } from 'node:net';
import { createLogger } from './logger.ts';
import type { Running } from './service.ts';

/** The message with which `npm start`'s Service stand-in hands a replica a client connection. */
export const HANDED_CONNECTION = 'k8s-pipe:connection';

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
      // Only a local process has this channel: the stand-in passes each connection's descriptor
      // here instead of copying its bytes, so that, as with kube-proxy, no process sits between
      // client and replica. A stopping replica refuses, as a terminating pod's endpoint would.
      if (process.send) {
        process.on('message', (message, handle) => {
          if (message !== HANDED_CONNECTION || !(handle instanceof Socket)) return;
          if (stopping) handle.destroy();
          else running.adopt(handle);
        });
      }
    },
    (err: unknown) => {
      log.fatal({ err }, 'start failed');
      process.exit(1);
    },
  );
}
