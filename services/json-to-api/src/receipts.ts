// The receipts file of a batch is both the record of which api pod answered each line and the
// ledger that lets a restarted json-to-api skip lines already answered. Each receipt is
// written with a synchronous write, so once a reply is counted it is in the file even if the
// process is killed the next instant.
import { closeSync, existsSync, fsyncSync, openSync, readSync, fstatSync, writeSync } from 'node:fs';
import { readLines } from '../../lib/lines.ts';
import { count, emptyTally, type Receipt, type Tally } from '../../lib/receipt.ts';

/** A growable set of line numbers, one bit each: a million lines cost 125 kB. */
export class LineSet {
  private bits = new Uint8Array(1024);
  size = 0;

  has(n: number): boolean {
    return (this.bits[n >> 3] ?? 0) & (1 << (n & 7)) ? true : false;
  }

  add(n: number): boolean {
    if (this.has(n)) return false;
    if (n >> 3 >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, (n >> 3) + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[n >> 3]! |= 1 << (n & 7);
    this.size += 1;
    return true;
  }
}

/** Reads what an earlier run recorded; a last line cut short by a crash is ignored. */
export async function loadReceipts(path: string): Promise<{ done: LineSet; tally: Tally }> {
  const done = new LineSet();
  const tally = emptyTally();
  if (!existsSync(path)) return { done, tally };
  for await (const lines of readLines(path)) {
    for (const { text } of lines) {
      let r: Receipt;
      try {
        r = JSON.parse(text) as Receipt;
      } catch {
        continue;
      }
      if (Number.isInteger(r.line) && done.add(r.line)) count(tally, r);
    }
  }
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
