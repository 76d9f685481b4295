// Reads a growing file from where the previous read stopped, so a refresh costs only the new
// bytes however large the file has grown. A file replaced under the same name (a retried batch
// renames a fresh one into place) or cut shorter is read again from the start, and the caller
// is told so that it forgets what it counted before.
import { open } from 'node:fs/promises';

const READ_LIMIT = 4 * 1024 * 1024;

export interface TailRead {
  restarted: boolean;
  lines: string[];
  /** More bytes were there than one read takes; the next read goes on. */
  behind: boolean;
}

export class FileTail {
  private ino = -1;
  private offset = 0;
  private partial: Buffer = Buffer.alloc(0);

  constructor(
    readonly path: string,
    private readonly readLimit = READ_LIMIT,
  ) {}

  /** The complete lines added since the last read; undefined once the file is gone. */
  async read(): Promise<TailRead | undefined> {
    const fh = await open(this.path, 'r').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!fh) return undefined;
    try {
      const { ino, size } = await fh.stat();
      const restarted = this.ino !== -1 && (ino !== this.ino || size < this.offset);
      if (ino !== this.ino || size < this.offset) {
        this.ino = ino;
        this.offset = 0;
        this.partial = Buffer.alloc(0);
      }
      const want = Math.min(size - this.offset, this.readLimit);
      if (want <= 0) return { restarted, lines: [], behind: false };
      const chunk = Buffer.alloc(want);
      const { bytesRead } = await fh.read(chunk, 0, want, this.offset);
      this.offset += bytesRead;
      return { restarted, lines: this.split(chunk.subarray(0, bytesRead)), behind: this.offset < size };
    } finally {
      await fh.close();
    }
  }

  /** Whole lines only: a line still being written stays buffered until its newline arrives. */
  private split(chunk: Buffer): string[] {
    const data = this.partial.length > 0 ? Buffer.concat([this.partial, chunk]) : chunk;
    const end = data.lastIndexOf(0x0a);
    if (end === -1) {
      this.partial = Buffer.from(data);
      return [];
    }
    this.partial = Buffer.from(data.subarray(end + 1));
    return data
      .toString('utf8', 0, end)
      .split('\n')
      .filter((line) => line.length > 0);
  }
}
