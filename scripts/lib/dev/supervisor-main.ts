// Entry point of the dev supervisor bundle (dist/dev/code/supervisor.mjs): see supervisor.ts.
import { supervise } from './supervisor.ts';

const bundle = process.argv[2];
if (!bundle) {
  process.stderr.write('usage: node supervisor.mjs <bundle.mjs>\n');
  process.exit(2);
}
const running = supervise(bundle);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => running.stop(signal));
void running.done.then((code) => process.exit(code));
