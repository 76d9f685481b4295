// csv-to-json: every CSV batch it reads becomes an NDJSON batch for the next stage.
import { startConverter, type ConverterStageOptions, type RunningStage } from '../../lib/file-stage.ts';
import { csvToNdjson } from './convert.ts';

export function start(o: ConverterStageOptions): Promise<RunningStage> {
  return startConverter({ ...o, name: 'csv-to-json', convert: csvToNdjson });
}
