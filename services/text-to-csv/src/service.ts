// text-to-csv: every listing in txt/ (getdata's batches and files dropped by hand) becomes a
// CSV batch in csv/.
import type { LogLevel } from '../../lib/logger.ts';
import { startFileStage, type RunningStage } from '../../lib/file-stage.ts';
import { listingToCsv } from './convert.ts';

export interface TextToCsvOptions {
  dataDir: string;
  port?: number;
  host?: string;
  logLevel?: LogLevel;
  /** How long a hand-dropped file must hold still before it is taken. */
  settleMs?: number;
}

export function start(o: TextToCsvOptions): Promise<RunningStage> {
  return startFileStage({
    name: 'text-to-csv',
    dataDir: o.dataDir,
    port: o.port,
    host: o.host,
    logLevel: o.logLevel,
    from: { dir: 'txt', ext: '.txt' },
    to: { dir: 'csv', ext: '.csv' },
    convert: listingToCsv,
    claimForeign: { settleMs: o.settleMs ?? 300 },
  });
}
