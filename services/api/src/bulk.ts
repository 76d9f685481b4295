// POST /bulk: NDJSON in, one result per input line out, in order. A bad line gets its own
// error result; it never fails the lines around it.
import { checkDoc } from '../../lib/document.ts';

export type BulkResult = { response: 'ok'; container: string } | { error: string };

export function answerBulk(body: string, pod: string): { results: BulkResult[]; accepted: number; rejected: number } {
  const lines = body.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let accepted = 0;
  const results = lines.map((raw): BulkResult => {
    const r = answerOne(raw.endsWith('\r') ? raw.slice(0, -1) : raw, pod);
    if ('response' in r) accepted += 1;
    return r;
  });
  return { results, accepted, rejected: results.length - accepted };
}

function answerOne(raw: string, pod: string): BulkResult {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    return { error: `malformed JSON: ${(err as Error).message}` };
  }
  const checked = checkDoc(value);
  return checked.ok ? { response: 'ok', container: pod } : { error: `invalid document: ${checked.problems.join('; ')}` };
}
