// One pino logger per service: JSON lines on stdout, tagged with the service name.
import { pino, type Logger, type Level } from 'pino';

export type { Logger };
export type LogLevel = Level | 'silent';

export function createLogger(service: string, level: LogLevel = 'info'): Logger {
  return pino({ level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}
