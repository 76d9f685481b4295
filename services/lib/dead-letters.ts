// A batch's dead-letter file for one stage: created on the first bad line, committed with the
// stage's output so that a retried batch rewrites it instead of appending twice.
import { AtomicFile } from './files.ts';
import type { Layout } from './layout.ts';

export const RAW_CHARS = 4096;

export interface DeadLetter {
  batch: string;
  stage: string;
  line: number;
  reason: string;
  raw: string;
  truncated?: true;
}

export class DeadLetters {
  private file?: AtomicFile;
  count = 0;

  constructor(
    private readonly l: Layout,
    private readonly stage: string,
    private readonly batch: string,
  ) {}

  async add(line: number, reason: string, raw: string): Promise<void> {
    this.file ??= await AtomicFile.create(this.l.tmp(this.stage, `${this.batch}.dead`), this.l.dead(this.batch, this.stage));
    this.count += 1;
    await this.file.write(`${JSON.stringify(deadLetter(this.batch, this.stage, line, reason, raw))}\n`);
  }

  async commit(): Promise<void> {
    await this.file?.commit();
  }

  async abort(): Promise<void> {
    await this.file?.abort();
  }
}

export function deadLetter(batch: string, stage: string, line: number, reason: string, raw: string): DeadLetter {
  const truncated = raw.length > RAW_CHARS;
  return { batch, stage, line, reason, raw: truncated ? raw.slice(0, RAW_CHARS) : raw, ...(truncated ? { truncated: true as const } : {}) };
}
