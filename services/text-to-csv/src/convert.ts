// Turns one listing into CSV rows (with the listing's line numbers; the stage writes the header
// of each file), sending lines that are not `ls -l` output to the dead-letter file.
import Papa from 'papaparse';
import { readLines, MAX_LINE_BYTES } from '../../lib/lines.ts';
import type { Output } from '../../lib/parts.ts';
import type { DeadLetters } from '../../lib/dead-letters.ts';
import type { StageCounts } from '../../lib/file-stage.ts';
import { parseLsLine } from './parse-ls.ts';

export async function listingToCsv(input: string, out: Output, dead: DeadLetters, signal?: AbortSignal): Promise<StageCounts> {
  const counts = { lines: 0, rows: 0, skipped: 0, dead: 0 };
  for await (const lines of readLines(input, MAX_LINE_BYTES, signal)) {
    const rows: string[][] = [];
    counts.lines += lines.length;
    for (const line of lines) {
      if (line.tooLong) {
        counts.dead += 1;
        await dead.add(line.pos, `line longer than ${MAX_LINE_BYTES} bytes`, line.text);
        continue;
      }
      const parsed = parseLsLine(line.text);
      if (parsed.kind === 'skip') counts.skipped += 1;
      else if (parsed.kind === 'error') {
        counts.dead += 1;
        await dead.add(line.pos, parsed.reason, line.text);
      } else {
        const e = parsed.entry;
        rows.push([String(line.pos), e.mod, e.no, e.user, e.group, e.usrno, e.date, e.file, e.target ?? '']);
      }
    }
    if (rows.length > 0) {
      counts.rows += rows.length;
      await out.write(`${Papa.unparse(rows, { newline: '\n' })}\n`, rows.length);
    }
  }
  return counts;
}
