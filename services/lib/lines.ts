// Splits a file into lines at the byte level, so that one bad byte, a CRLF ending or a
// megabyte-long line never costs more than a bounded buffer, and names that are not UTF-8
// survive as \xNN escapes instead of being silently replaced.
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';

export interface Line {
  /** 1-based position of the line in the file. */
  pos: number;
  text: string;
  /** The line was longer than the limit; `text` holds only its start. */
  tooLong: boolean;
}

export const MAX_LINE_BYTES = 64 * 1024;

/**
 * Yields the file's lines in batches (one per read chunk) to keep per-line overhead low. An
 * aborted `signal` ends the read between chunks by throwing its reason.
 */
export async function* readLines(path: string, maxLineBytes = MAX_LINE_BYTES, signal?: AbortSignal): AsyncGenerator<Line[]> {
  let pos = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  const finish = (tail: Buffer): Line => {
    const parts = pendingBytes > 0 ? Buffer.concat([...pending, tail]) : tail;
    const bytes = parts.length > 0 && parts[parts.length - 1] === 0x0d ? parts.subarray(0, -1) : parts;
    const line = { pos: ++pos, text: decode(bytes.subarray(0, maxLineBytes)), tooLong: tooLong || bytes.length > maxLineBytes };
    pending = [];
    pendingBytes = 0;
    tooLong = false;
    return line;
  };
  /** The whole lines between a chunk's first and last newline: decoded at once when they are UTF-8, as nearly all are. */
  const middle = (bytes: Buffer, out: Line[]) => {
    if (!isUtf8(bytes)) {
      for (let start = 0; start <= bytes.length;) {
        const nl = bytes.indexOf(0x0a, start);
        const end = nl === -1 ? bytes.length : nl;
        out.push(finish(bytes.subarray(start, end)));
        start = end + 1;
      }
      return;
    }
    for (const text of bytes.toString('utf8').split('\n')) {
      // No UTF-16 unit takes more than 3 bytes of UTF-8: only a line longer than a third of the limit needs its bytes counted.
      if (text.length * 3 > maxLineBytes && Buffer.byteLength(text) > maxLineBytes) out.push(finish(Buffer.from(text)));
      else out.push({ pos: ++pos, text: text.endsWith('\r') ? text.slice(0, -1) : text, tooLong: false });
    }
  };
  for await (const chunk of createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Buffer>) {
    signal?.throwIfAborted();
    const out: Line[] = [];
    const first = chunk.indexOf(0x0a);
    const last = first === -1 ? -1 : chunk.lastIndexOf(0x0a);
    if (first !== -1) out.push(finish(chunk.subarray(0, first)));
    if (last > first) middle(chunk.subarray(first + 1, last), out);
    const rest = chunk.subarray(last + 1);
    if (pendingBytes + rest.length > maxLineBytes) {
      tooLong = true;
      const room = Math.max(0, maxLineBytes - pendingBytes);
      if (room > 0) pending.push(Buffer.from(rest.subarray(0, room)));
      pendingBytes += room;
    } else if (rest.length > 0) {
      pending.push(Buffer.from(rest));
      pendingBytes += rest.length;
    }
    if (out.length > 0) yield out;
  }
  if (pendingBytes > 0 || tooLong) yield [finish(Buffer.alloc(0))];
}

/** UTF-8 text where valid; each byte of an invalid sequence becomes the four characters \xNN. */
export function decode(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const len = sequenceLength(bytes, i);
    if (len > 0) {
      out += bytes.toString('utf8', i, i + len);
      i += len;
    } else {
      out += `\\x${bytes[i]!.toString(16).toUpperCase().padStart(2, '0')}`;
      i += 1;
    }
  }
  return out;
}

function sequenceLength(b: Buffer, i: number): number {
  const lead = b[i]!;
  const len = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (len <= 1 || i + len > b.length) return len === 1 ? 1 : 0;
  return isUtf8(b.subarray(i, i + len)) ? len : 0;
}
