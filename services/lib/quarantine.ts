// An input a stage cannot get through, however often it tries, is set aside in dead/ with its
// reason, so that the stage goes on with the batches behind it and a person can look at it.
import { readFile, rename } from 'node:fs/promises';
import { writeAtomic } from './files.ts';
import { deadLetter } from './dead-letters.ts';
import type { Layout, StageDir } from './layout.ts';

/** Records why in dead/<name>.<stage>.ndjson, then moves the input to dead/<name>.<stage>.quarantined. */
export async function quarantine(l: Layout, stage: string, dir: StageDir, fileName: string, name: string, reason: string): Promise<void> {
  const letters = l.dead(name, stage);
  const before = await readFile(letters, 'utf8').catch(() => '');
  const record = { ...deadLetter(name, stage, 0, reason, ''), quarantined: l.quarantined(name, stage) };
  await writeAtomic(l.tmp(stage, `${name}.quarantine`), letters, `${before}${JSON.stringify(record)}\n`);
  await rename(l.file(dir, fileName), l.quarantined(name, stage));
}
