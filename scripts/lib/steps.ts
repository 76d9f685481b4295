// Bring-up as a list of small named steps, like kind's create actions: each prints one
// ✓/✗ line with its duration and what it found or did. A long step names its sub-steps as it
// goes: beside a spinner on a terminal, as plain lines otherwise (a pipe, a log file, CI).
import { $, chalk, spinner, within } from 'zx';
import { isCI } from './config.ts';

/** Runs `work` as the sub-step `what` of the current step. */
export type Progress = <T>(what: string, work: () => Promise<T>) => Promise<T>;

export interface Step {
  name: string;
  /** Resolves with a short note for the status line. */
  run(progress: Progress): Promise<string | void>;
}

// zx's spinner draws on stderr, and stays silent while $.quiet is on, which shell.ts turns on
// for every command: the spinner runs with it off, and the work inside with it on again.
const spin = <T>(title: string, work: () => Promise<T>): Promise<T> =>
  within(async () => {
    $.quiet = false;
    return await spinner(title, () =>
      within(() => {
        $.quiet = true;
        return work();
      }),
    );
  });

export async function runSteps(steps: Step[]): Promise<void> {
  const interactive = Boolean(process.stderr.isTTY) && !isCI;
  const width = Math.max(...steps.map((s) => s.name.length));
  for (const step of steps) {
    const started = performance.now();
    const line = (mark: string, note = '') => {
      const seconds = `${((performance.now() - started) / 1000).toFixed(1)}s`.padStart(6);
      console.log(`${mark} ${step.name.padEnd(width)} ${seconds}  ${note}`.trimEnd());
    };
    const progress: Progress = (what, work) => {
      const title = `${step.name}: ${what}`;
      if (interactive) return spin(title, work);
      console.log(`  ${title}`);
      return work();
    };
    try {
      line(chalk.green('✓'), (await step.run(progress)) ?? '');
    } catch (err) {
      line(chalk.red('✗'));
      throw err;
    }
  }
}
