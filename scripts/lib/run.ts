// The one exit path of every script: main() resolves with what to do next, which is printed
// before exiting 0; any failure prints its message and, for our typed errors, the hint.
import type { Writable } from 'node:stream';
import { chalk } from 'zx';
import { ScriptError } from './errors.ts';

/** `nextTo` is stdout, unless a script's stdout is data for another program. */
export function runScript(main: () => Promise<string>, nextTo: Writable = process.stdout): void {
  main().then(
    (next) => {
      nextTo.write(`\n${next}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(chalk.red(`\n✗ ${err instanceof Error ? err.message.trim() : String(err)}`));
      if (err instanceof ScriptError && err.hint) console.error(`  next: ${err.hint}`);
      process.exit(1);
    },
  );
}
