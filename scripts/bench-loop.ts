// npm run bench:loop [-- --no-cold]: the inner loop on the real kind cluster, timed. Prints a
// table of: a cold deploy (from no cluster; the cluster is deleted first), a deploy that changes
// nothing, a deploy after a one-line change in the api, and dev mode's time from a file write to
// the change served by every pod of the service, p50 and p90 over BENCH_EDITS edits, for the api
// and for a data stage. Edits are made in a scratch copy of the project, never in yours; the
// cluster is put back on your project's images at the end. Deploys run with --no-canary, so the
// figures are the deploys' own; the canary is timed on its own line.
//
// Env (defaults in lib/config.ts):
//   BENCH_EDITS      edits timed per service in dev mode (10)
//   KIND_NODE_IMAGE, WAIT_SECONDS, CANARY_SECONDS: as npm run deploy
import { rm, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { execa } from 'execa';
import { DATA_STAGES } from '../services/lib/pipeline.ts';
import { benchLoop } from './lib/config.ts';
import { parseFlags } from './lib/flags.ts';
import { root } from './lib/paths.ts';
import { runScript } from './lib/run.ts';
import { scratchCopy } from './lib/scratch.ts';

const DEV_START_MS = 10 * 60_000;
const RELOAD_MS = 60_000;
/** Time between timed edits, so that one reload is over before the next write. */
const PAUSE_MS = 1_000;

const entry = (service: string) => path.join('services', service, 'src', 'main.ts');
/** A one-line change that every bundler keeps: a statement with an effect. */
const editLine = (n: number) => `\n(globalThis as Record<string, unknown>).benchEdit = ${n};\n`;

async function timed(cwd: string, script: string, args: string[] = []): Promise<number> {
  const started = performance.now();
  const run = await execa('npx', ['tsx', `scripts/${script}.ts`, ...args], { cwd, reject: false, all: true });
  if (run.exitCode !== 0) throw new Error(`npm run ${script} ${args.join(' ')} failed in ${cwd}:\n${run.all}`);
  return (performance.now() - started) / 1000;
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.max(0, Math.ceil((p / 100) * xs.length) - 1)]!;

/** Starts dev mode in `project`; times edits of each service's entry point, from the write to dev's line that every pod serves it. */
async function devLoop(project: string, services: string[], edits: number): Promise<Map<string, number[]>> {
  const dev = execa('npx', ['tsx', 'scripts/dev.ts', '--no-canary', '--level', 'error'], { cwd: project, detached: true, reject: false, all: true, env: { CI: 'true' } });
  let output = '';
  const waiters: { pattern: RegExp; from: number; resolve: (at: number) => void }[] = [];
  dev.all!.on('data', (chunk: Buffer) => {
    output += stripVTControlCharacters(chunk.toString());
    for (const w of [...waiters]) {
      if (w.pattern.test(output.slice(w.from))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(performance.now());
      }
    }
  });
  const next = (pattern: RegExp, ms: number) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${pattern} within ${ms / 1000}s; dev printed:\n${output.slice(-3000)}`)), ms);
      waiters.push({ pattern, from: output.length, resolve: (at) => (clearTimeout(timer), resolve(at)) });
    });
  const times = new Map<string, number[]>();
  try {
    await next(/^watching$/m, DEV_START_MS);
    for (const service of services) {
      const file = path.join(project, entry(service));
      const original = await readFile(file, 'utf8');
      times.set(service, []);
      for (let n = 1; n <= edits; n++) {
        const served = next(new RegExp(`✓ ${service} reloaded in`), RELOAD_MS);
        const written = performance.now();
        await writeFile(file, original + editLine(n));
        times.get(service)!.push(((await served) - written) / 1000);
        await new Promise((r) => setTimeout(r, PAUSE_MS));
      }
    }
  } finally {
    process.kill(-dev.pid!, 'SIGINT');
    await dev;
  }
  return times;
}

async function main(): Promise<string> {
  const flags = parseFlags({ 'no-cold': { type: 'boolean', description: 'keep the cluster: leave out the cold deploy' } });
  const rows: [string, string][] = [];
  const row = (what: string, figure: string) => {
    rows.push([what, figure]);
    console.log(`${what}: ${figure}`);
  };
  if (!flags['no-cold']) {
    await timed(root, 'teardown');
    row('cold deploy, from no cluster', `${(await timed(root, 'deploy', ['--no-canary'])).toFixed(1)} s`);
  }
  row('deploy that changes nothing', `${(await timed(root, 'deploy', ['--no-canary'])).toFixed(1)} s`);
  row('canary (npm run canary)', `${(await timed(root, 'canary')).toFixed(1)} s`);
  const project = await scratchCopy();
  try {
    const api = path.join(project, entry('api'));
    await writeFile(api, (await readFile(api, 'utf8')) + editLine(0));
    row('deploy after a one-line api change', `${(await timed(project, 'deploy', ['--no-canary'])).toFixed(1)} s`);
    const stage = DATA_STAGES[0]!;
    const times = await devLoop(project, ['api', stage], benchLoop.edits);
    for (const [service, xs] of times) {
      row(
        `dev: ${service} edit to served by every pod`,
        `p50 ${percentile(xs, 50).toFixed(2)} s, p90 ${percentile(xs, 90).toFixed(2)} s (n=${xs.length}; ${xs.map((x) => x.toFixed(2)).join(', ')})`,
      );
    }
  } finally {
    await rm(project, { recursive: true, force: true });
    await timed(root, 'deploy', ['--no-canary']);
  }
  const width = Math.max(...rows.map(([w]) => w.length));
  console.log(`\n| ${'measure'.padEnd(width)} | figure |\n| ${'-'.repeat(width)} | --- |`);
  for (const [what, figure] of rows) console.log(`| ${what.padEnd(width)} | ${figure} |`);
  return 'The cluster runs your project on images again. npm run dev to work on it';
}

runScript(main);
