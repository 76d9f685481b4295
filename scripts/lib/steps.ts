// Bring-up as a list of small named steps, like kind's create actions: each prints one
// ✓/✗ line with its duration and what it found or did.
import { chalk } from 'zx';

export interface Step {
  name: string;
  /** Resolves with a short note for the status line. */
  run(): Promise<string | void>;
}

export async function runSteps(steps: Step[]): Promise<void> {
  const width = Math.max(...steps.map((s) => s.name.length));
  for (const step of steps) {
    const started = performance.now();
    const line = (mark: string, note = '') => {
      const seconds = `${((performance.now() - started) / 1000).toFixed(1)}s`.padStart(6);
      console.log(`${mark} ${step.name.padEnd(width)} ${seconds}  ${note}`.trimEnd());
    };
    try {
      line(chalk.green('✓'), (await step.run()) ?? '');
    } catch (err) {
      line(chalk.red('✗'));
      throw err;
    }
  }
}
