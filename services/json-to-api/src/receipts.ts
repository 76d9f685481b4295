// The receipts file of a batch is both the record of which api pod answered each line and the
// ledger that lets a restarted json-to-api skip lines already answered. It is keyed by the
// position of the line in the batch file, never by anything a document says about itself, so
// duplicated, missing or huge `line` values cannot make a document look answered. Each receipt
// is written with a synchronous write, so once a reply is counted it is in the file even if the
// process is killed the next instant.
import { closeSync, existsSync, fsyncSync, openSync, readSync, fstatSync, writeSync } from 'node:fs';
import { readLines } from '../../lib/lines.ts';
import { count, emptyTally, isOutcome, type Receipt, type Tally } from '../../lib/receipt.ts';

/**
 * A set of line positions, one bit each: a million lines cost 125 kB. Positions come from
 * counting the batch file's lines, so its size is bounded by the file, whatever its documents say.
 */
export class Positions {
  private bits = new Uint8Array(1024);
  size = 0;

  has(pos: number): boolean {
    const byte = Math.floor(pos / 8);
    return byte < this.bits.length && (this.bits[byte]! & (1 << (pos % 8))) !== 0;
  }

  add(pos: number): boolean {
    if (!Number.isSafeInteger(pos) || pos < 1) throw new RangeError(`a line position is a whole number from 1, got ${pos}`);
    if (this.has(pos)) return false;
    const byte = Math.floor(pos / 8);
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, byte + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[byte]! |= 1 << (pos % 8);
    this.size += 1;
    return true;
  }
}

/** Calls `each` with every receipt of a file, the first for each position only; a last line cut short by a crash is ignored. */
export async function eachReceipt(path: string, each: (r: Receipt) => void | Promise<void>): Promise<void> {
  if (!existsSync(path)) return;
  const seen = new Positions();
  for await (const lines of readLines(path)) {
    for (const { text } of lines) {
      let r: Receipt;
      try {
        r = JSON.parse(text) as Receipt;
      } catch {
        continue;
      }
      if (Number.isSafeInteger(r.pos) && r.pos >= 1 && isOutcome(r.outcome) && seen.add(r.pos)) await each(r);
    }
  }
}

/** Reads what an earlier run recorded. */
export async function loadReceipts(path: string): Promise<{ done: Positions; tally: Tally }> {
  const done = new Positions();
  const tally = emptyTally();
  await eachReceipt(path, (r) => {
    done.add(r.pos);
    count(tally, r);
  });
  return { done, tally };
}

export class ReceiptLog {
  private constructor(private readonly fd: number) {}

  static open(path: string): ReceiptLog {
    const fd = openSync(path, 'a+');
    // A crash may have left half a line; start ours on a fresh one.
    const size = fstatSync(fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) writeSync(fd, '\n');
    }
    return new ReceiptLog(fd);
  }

  write(receipts: Receipt[]): void {
    if (receipts.length === 0) return;
    writeSync(this.fd, receipts.map((r) => JSON.stringify(r)).join('\n') + '\n');
  }

  close(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
  }
}
