// csv-to-json: every CSV batch in csv/ becomes an NDJSON batch in json/.
import { startFileStage, type RunningStage } from '../../lib/file-stage.ts';
import type { LogLevel } from '../../lib/logger.ts';
import { csvToNdjson } from './convert.ts';

export interface CsvToJsonOptions {
  dataDir: string;
  port?: number;
  host?: string;
  logLevel?: LogLevel;
}

export function start(o: CsvToJsonOptions): Promise<RunningStage> {
  return startFileStage({
    ...o,
    name: 'csv-to-json',
    from: { dir: 'csv', ext: '.csv' },
    to: { dir: 'json', ext: '.ndjson' },
    convert: csvToNdjson,
  });
}
