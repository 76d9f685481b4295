// The pipeline's record, as it travels: CSV columns between text-to-csv and csv-to-json, and
// the JSON document csv-to-json writes and the api accepts. Field names are the original's.
import * as z from 'zod';

export const CSV_COLUMNS = ['line', 'mod', 'no', 'user', 'group', 'usrno', 'date', 'file', 'target'] as const;
/** The original K8S Pipe CSV had these seven columns and no header. */
export const ORIGINAL_COLUMNS = ['mod', 'no', 'user', 'group', 'usrno', 'date', 'file'] as const;

const text = z.string().min(1, 'must not be empty');

export const DocSchema = z.object({
  /** The listing line the document came from (the receipts and dead letters use it too). */
  line: z.number().int().positive().optional(),
  mod: text.max(16),
  no: z.string().regex(/^\d+$/, 'must be a link count (digits)'),
  user: text.max(256),
  group: text.max(256),
  // A size; a device's "major, minor" (the minor in hex on older FreeBSD); or macOS's one hex device number.
  usrno: z.string().regex(/^(?:\d+(?:, ?(?:\d+|0x[0-9a-f]+))?|0x[0-9a-f]+)$/i, 'must be a size, or "major, minor" or one hex number for a device'),
  date: text.max(64),
  file: text.max(16_384),
  target: z.string().max(16_384).optional(),
});

export type Doc = z.infer<typeof DocSchema>;

/** Validates a document; the error names each bad field. */
export function checkDoc(value: unknown): { ok: true; doc: Doc } | { ok: false; problems: string[] } {
  const r = DocSchema.safeParse(value);
  if (r.success) return { ok: true, doc: r.data };
  return { ok: false, problems: r.error.issues.map((i) => `${i.path.join('.') || 'document'}: ${i.message}`) };
}
