// npm start: the whole pipeline as local processes, with no Docker and no Kind.
//
// Environment (a flag of the same meaning wins):
//   DATA_DIR   ./.data          --data-dir   the shared data directory
//   REPLICAS   3                --replicas   api replicas behind the local balancer
//   SCHEDULE   */1 * * * *      --schedule   getdata's cron schedule ("off" to leave getdata out)
//   PORT       8080             --port       the api balancer's port on 127.0.0.1
//   POST_MODE  single           --post-mode  json-to-api posting: single or bulk
import path from 'node:path';
import { chalk } from 'zx';
import { DATA_STAGES } from '../services/lib/pipeline.ts';
import { local } from './lib/config.ts';
import { ScriptError, UsageError } from './lib/errors.ts';
import { knownFlags, parseFlags } from './lib/flags.ts';
import { startPipeline, type Pipeline } from './local/pipeline.ts';

const FLAGS = {
  'data-dir': { type: 'string', value: '<dir>', description: 'the shared data directory' },
  replicas: { type: 'integer', value: '<n>', description: 'api replicas' },
  schedule: { type: 'string', value: '<cron>', description: 'getdata\'s schedule, or "off"' },
  port: { type: 'integer', value: '<port>', description: "the api balancer's port" },
  'post-mode': { type: 'string', value: 'single|bulk', description: 'json-to-api posting' },
} as const;

async function main(): Promise<void> {
  const flags = parseFlags(FLAGS);
  const options = {
    dataDir: path.resolve(flags['data-dir'] ?? local.dataDir),
    replicas: flags.replicas ?? local.replicas,
    schedule: flags.schedule ?? local.schedule,
    port: flags.port ?? local.port,
    postMode: flags['post-mode'] ?? local.postMode,
  };
  if (options.replicas < 1) throw new UsageError(`--replicas must be 1 or more, got ${options.replicas}`, knownFlags(FLAGS));
  if (!['single', 'bulk'].includes(options.postMode)) throw new UsageError(`--post-mode must be single or bulk, got ${options.postMode}`, knownFlags(FLAGS));

  console.log(chalk.bold('k8s-pipe local mode'));
  const pipeline = await startPipeline({
    dataDir: options.dataDir,
    replicas: options.replicas,
    schedule: options.schedule === 'off' ? false : options.schedule,
    apiPort: options.port,
    env: { 'json-to-api': { POST_MODE: options.postMode } },
  });
  printWhereToLook(pipeline, options.schedule);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  console.log('\nstopping…');
  await pipeline.stop();
}

function printWhereToLook(p: Pipeline, schedule: string): void {
  const ports = [...p.processes.values()].map((s) => `${s.name}:${s.port}`).join('  ');
  const rel = (dir: string) => {
    const r = path.relative(process.cwd(), dir);
    return r.startsWith('..') ? dir : r || '.';
  };
  console.log(`${chalk.green('✓')} api ×${p.apiReplicas().length} behind ${p.apiUrl}  (try: curl ${p.apiUrl}/stats)`);
  console.log(`${chalk.green('✓')} ${DATA_STAGES.join(' → ')}`);
  console.log(`${chalk.green('✓')} dashboard at ${p.dashboardUrl}`);
  console.log(schedule === 'off' ? `${chalk.yellow('–')} getdata left out` : `${chalk.green('✓')} getdata now and on "${schedule}"`);
  console.log(`\n  drop a listing:  LC_ALL=C ls -l /usr/bin > ${rel(path.join(p.dataDir, 'txt'))}/listing.txt`);
  console.log(`  receipts:        ${rel(path.join(p.dataDir, 'receipts'))}/<batch>.ndjson   summaries: ${rel(path.join(p.dataDir, 'done'))}/`);
  console.log(`  logs:            ${rel(p.logDir)}/<service>.log`);
  console.log(`  health/metrics:  ${ports}`);
  console.log(`\n${chalk.dim('Ctrl-C stops everything.')}`);
}

main().then(
  () => {
    console.log('stopped. Start again with: npm start');
    process.exit(0);
  },
  (err: unknown) => {
    console.error(chalk.red(`✗ ${(err as Error).message}`));
    console.error(err instanceof ScriptError && err.hint ? `  next: ${err.hint}` : 'Fix the above and run: npm start');
    process.exit(1);
  },
);
