// A converter's output for one batch, handed on in parts: when the next write would take a part
// past `partLines` rows, the part is committed, and the next stage starts on it while this one
// writes the rest, so the stages of a big batch work side by side instead of one after another.
// A batch that fits in one part keeps its id; a bigger one becomes <batch>.p001, <batch>.p002,
// …, each a batch of its own downstream, its rows still carrying the listing's line numbers. No
// part holds more than `partLines` rows (unless one write does), so a converter after this one,
// which writes no more rows than it reads, hands each part on whole. Parts are cut only between
// writes, which hold whole rows, so the same input is always cut the same way: a batch done
// again after a crash or a stop rewrites the same parts, and json-to-api's receipts make those
// already delivered harmless.
import { partId } from './batches.ts';
import { AtomicFile } from './files.ts';

/** Where a converter writes its rows. */
export interface Output {
  /** Appends `text`, which holds `rows` whole rows, each ending in a newline. */
  write(text: string, rows: number): Promise<void>;
}

export interface PartsOptions {
  batch: string;
  partLines: number;
  /** Written at the start of every part: a CSV header. */
  header?: string;
  /** Where a part is written before it is committed. */
  tmpPath: string;
  /** Where the batch (or a part, by its id) is handed on. */
  pathOf(batch: string): string;
  /** Called with each part handed on, when the batch is cut in more than one. */
  onPart?(part: string, rows: number): void;
}

export class Parts implements Output {
  private file?: AtomicFile;
  private n = 0;
  private rows = 0;

  constructor(private readonly o: PartsOptions) {}

  async write(text: string, rows: number): Promise<void> {
    if (this.file && this.rows > 0 && this.rows + rows > this.o.partLines) await this.hand(partId(this.o.batch, this.n));
    await (this.file ?? (await this.open())).write(text);
    this.rows += rows;
  }

  /** Commits the last part, under the batch's own id when it is the only one; a batch with no rows is handed on empty. */
  async commit(): Promise<void> {
    if (!this.file) await this.open();
    await this.hand(this.n === 1 ? this.o.batch : partId(this.o.batch, this.n));
  }

  /** Throws away the part being written; parts already handed on stay, as a redo rewrites them. */
  async abort(): Promise<void> {
    await this.file?.abort();
    this.file = undefined;
  }

  private async open(): Promise<AtomicFile> {
    this.n += 1;
    this.rows = 0;
    this.file = await AtomicFile.create(this.o.tmpPath, this.o.pathOf(partId(this.o.batch, this.n)));
    if (this.o.header) await this.file.write(this.o.header);
    return this.file;
  }

  private async hand(id: string): Promise<void> {
    await this.file!.commit(this.o.pathOf(id));
    this.file = undefined;
    if (id !== this.o.batch) this.o.onPart?.(id, this.rows);
  }
}
