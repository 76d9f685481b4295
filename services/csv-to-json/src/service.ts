// csv-to-json: every CSV batch it reads becomes an NDJSON batch for the next stage.
import { startConverter, type RunningStage, type StageOptions } from '../../lib/file-stage.ts';
import { csvToNdjson } from './convert.ts';

export function start(o: StageOptions): Promise<RunningStage> {
  return startConverter({ ...o, name: 'csv-to-json', convert: csvToNdjson });
}
