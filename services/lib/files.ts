// Durable, atomic output: everything is written to a temp file on the same volume, fsynced,
// then renamed into place, so a reader never sees half a file and a crash leaves the input.
import { open, rename, unlink, readdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

const FLUSH_BYTES = 64 * 1024;

export class AtomicFile {
  private chunks: Array<string | Buffer> = [];
  private size = 0;
  private constructor(
    private readonly fh: FileHandle,
    readonly tmpPath: string,
    readonly finalPath: string,
  ) {}

  static async create(tmpPath: string, finalPath: string): Promise<AtomicFile> {
    return new AtomicFile(await open(tmpPath, 'w'), tmpPath, finalPath);
  }

  async write(data: string | Buffer): Promise<void> {
    this.chunks.push(data);
    this.size += data.length;
    if (this.size >= FLUSH_BYTES) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.size === 0) return;
    const data = this.chunks.every((c) => typeof c === 'string') ? this.chunks.join('') : Buffer.concat(this.chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
    this.chunks = [];
    this.size = 0;
    await this.fh.writeFile(data);
  }

  /** Makes the file durable and visible under its final name, or under `to` when that is only known at the end. */
  async commit(to = this.finalPath): Promise<void> {
    await this.flush();
    await this.fh.sync();
    await this.fh.close();
    await rename(this.tmpPath, to);
    await syncDir(path.dirname(to));
  }

  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await unlink(this.tmpPath).catch(() => undefined);
  }
}

/** Writes a whole small file atomically. */
export async function writeAtomic(tmpPath: string, finalPath: string, text: string): Promise<void> {
  const file = await AtomicFile.create(tmpPath, finalPath);
  await file.write(text);
  await file.commit();
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Removes a stage's leftover temp files from an earlier run that died mid-write. By default all
 * of them: a stage runs one instance at a time. `isStale` narrows that where runs may overlap.
 */
export async function removeStaleTemps(tmpDir: string, stage: string, isStale: (rest: string) => boolean = () => true): Promise<number> {
  const mine = (await readdir(tmpDir)).filter((f) => f.startsWith(`${stage}.`) && isStale(f.slice(stage.length + 1)));
  await Promise.all(mine.map((f) => unlink(path.join(tmpDir, f)).catch(() => undefined)));
  return mine.length;
}

export async function unlinkDurably(file: string): Promise<void> {
  await unlink(file);
  await syncDir(path.dirname(file));
}
