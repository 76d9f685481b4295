// text-to-csv: every listing it reads (getdata's batches, and files dropped by hand) becomes a
// CSV batch for the next stage.
import { startConverter, type RunningStage, type StageOptions } from '../../lib/file-stage.ts';
import { listingToCsv } from './convert.ts';

export function start(o: StageOptions): Promise<RunningStage> {
  return startConverter({ ...o, name: 'text-to-csv', convert: listingToCsv });
}
