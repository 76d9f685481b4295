// The one exit path of every service process: start, stop cleanly on SIGTERM/SIGINT, and
// exit non-zero with a JSON log line when start-up fails.
import { Socket } from 'node:net';
import { createLogger } from './logger.ts';
import type { Running } from './service.ts';

/** The message with which `npm start`'s Service stand-in hands a replica a client connection. */
export const HANDED_CONNECTION = 'k8s-pipe:connection';
/** The message with which a local process tells its parent the port it took. */
export const LISTENING = 'k8s-pipe:listening';
export interface ListeningMessage {
  type: typeof LISTENING;
  port: number;
}

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
      // Only a local process has this channel. It is started on port 0 and reports the port it
      // took: a port picked free by the parent could be taken by another socket before the
      // child binds it. The stand-in passes each connection's descriptor here instead of copying
      // its bytes, so that, as with kube-proxy, no process sits between client and replica.
      // A stopping replica refuses, as a terminating pod's endpoint would.
      if (process.send && process.connected) {
        process.send({ type: LISTENING, port: running.port } satisfies ListeningMessage);
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
