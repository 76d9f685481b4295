// The one exit path of every script: main() resolves with what to do next, which is printed
// before exiting 0; any failure prints its message and, for our typed errors, the hint.
import { chalk } from 'zx';
import { ScriptError } from './errors.ts';

export function runScript(main: () => Promise<string>): void {
  main().then(
    (next) => {
      console.log(`\n${next}`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(chalk.red(`\n✗ ${err instanceof Error ? err.message.trim() : String(err)}`));
      if (err instanceof ScriptError && err.hint) console.error(`  next: ${err.hint}`);
      process.exit(1);
    },
  );
}
