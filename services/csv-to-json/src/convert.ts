// Turns one CSV batch into NDJSON documents. It reads the CSV text-to-csv writes (with a
// header and the listing's line numbers) and also the original K8S Pipe's seven headerless
// columns; a row that fits neither, or whose fields are invalid, goes to the dead letters.
import { createReadStream } from 'node:fs';
import Papa from 'papaparse';
import { CSV_COLUMNS, ORIGINAL_COLUMNS, checkDoc, type Doc } from '../../lib/document.ts';
import type { Output } from '../../lib/parts.ts';
import type { DeadLetters } from '../../lib/dead-letters.ts';
import type { StageCounts } from '../../lib/file-stage.ts';

const FLUSH_DOCS = 1000;

/**
 * Papaparse's `step` callback over a file stream parses some 15 times faster than its Node
 * duplex stream. While a write is under way both the parser and the file stream are paused:
 * pausing the parser alone leaves the stream flowing into papaparse's queue, which held 60 and
 * more 64 KB chunks of a 1M-line batch. The unit of account is the CSV record (a quoted name may
 * hold a newline); blank lines are no records. An aborted `signal` ends the parse and rejects
 * with its reason.
 */
export function csvToNdjson(input: string, out: Output, dead: DeadLetters, signal?: AbortSignal): Promise<StageCounts> {
  const counts = { lines: 0, rows: 0, dead: 0, skipped: 0 };
  let docs: string[] = [];
  const flush = async () => {
    if (docs.length === 0) return;
    const text = `${docs.join('\n')}\n`;
    const rows = docs.length;
    counts.rows += rows;
    docs = [];
    await out.write(text, rows);
  };
  return new Promise((resolve, reject) => {
    const file = createReadStream(input);
    // A parse that ends early stops reading the rest of the file.
    const fail = (err: unknown) => {
      file.destroy();
      reject(err);
    };
    const waitFor = (parser: Papa.Parser, work: Promise<void>) => {
      parser.pause();
      file.pause();
      work.then(() => {
        file.resume();
        parser.resume();
      }, fail);
    };
    Papa.parse<string[]>(file, {
      header: false,
      skipEmptyLines: true,
      step: ({ data: row }, parser) => {
        if (signal?.aborted) return parser.abort();
        counts.lines += 1;
        if (counts.lines === 1 && row[0] === CSV_COLUMNS[0] && row[1] === CSV_COLUMNS[1]) {
          counts.skipped += 1;
          return;
        }
        const result = toDoc(row, counts.lines);
        if (!result.ok) {
          counts.dead += 1;
          waitFor(parser, dead.add(result.line, result.reason, Papa.unparse([row])));
          return;
        }
        docs.push(JSON.stringify(result.doc));
        if (docs.length >= FLUSH_DOCS) waitFor(parser, flush());
      },
      complete: () => {
        if (signal?.aborted) fail(signal.reason);
        else flush().then(() => resolve(counts), reject);
      },
      error: fail,
    });
  });
}

type RowResult = { ok: true; doc: Doc } | { ok: false; line: number; reason: string };

export function toDoc(row: string[], rowNo: number): RowResult {
  let columns: readonly string[];
  let line = rowNo;
  if (row.length === CSV_COLUMNS.length) {
    columns = CSV_COLUMNS;
    const n = Number(row[0]);
    if (!Number.isInteger(n) || n <= 0) return { ok: false, line, reason: `line: must be a positive whole number, got ${JSON.stringify(row[0])}` };
    line = n;
  } else if (row.length === ORIGINAL_COLUMNS.length) {
    columns = ORIGINAL_COLUMNS;
  } else {
    return { ok: false, line, reason: `expected ${CSV_COLUMNS.length} columns (${CSV_COLUMNS.join(',')}) or the original ${ORIGINAL_COLUMNS.length}, got ${row.length}` };
  }
  // Built field by field: Object.fromEntries and spreads cost more than the schema check.
  const fields: Record<string, string | number> = { line };
  for (let i = 0; i < columns.length; i++) {
    // An empty target is a file that is no symlink.
    if (columns[i] !== 'line' && (row[i] !== '' || columns[i] !== 'target')) fields[columns[i]!] = row[i]!;
  }
  const checked = checkDoc(fields);
  return checked.ok ? { ok: true, doc: checked.doc } : { ok: false, line, reason: checked.problems.join('; ') };
}
