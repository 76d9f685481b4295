// text-to-csv: every listing it reads (getdata's batches, and files dropped by hand) becomes a
// CSV batch for the next stage.
import { startConverter, type ConverterStageOptions, type RunningStage } from '../../lib/file-stage.ts';
import { CSV_COLUMNS } from '../../lib/document.ts';
import { listingToCsv } from './convert.ts';

export function start(o: ConverterStageOptions): Promise<RunningStage> {
  return startConverter({ ...o, name: 'text-to-csv', convert: listingToCsv, header: `${CSV_COLUMNS.join(',')}\n` });
}
