// The local target's pipeline, in a process of its own: Playwright's setup, tests and teardown
// run in different worker processes, so the pipeline must outlive each of them. It answers a
// small control API on loopback and stops by itself if the test runner goes away.
//
// Usage: node --import tsx e2e/local-host.ts <state file> <log dir> <runner pid>
import { spawn } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DEFAULTS } from '../services/lib/config.ts';
import { createLogger } from '../services/lib/logger.ts';
import { makeAwkwardTree } from '../scripts/local/fixtures.ts';
import { startPipeline, type Pipeline, type PipelineOptions } from '../scripts/local/pipeline.ts';
import { GetdataError, listedFrom } from './listed.ts';
import type { DataStage, Killable, Listed } from './target.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const [stateFile, logDir, runnerPid] = process.argv.slice(2);
if (!stateFile || !logDir || !runnerPid) throw new Error('usage: local-host.ts <state file> <log dir> <runner pid>');

class ControlError extends Error {
  override name = 'ControlError';
}

const logger = createLogger('e2e-local-host');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'k8s-pipe-e2e-'));
const dataDir = path.join(scratch, 'data');
// getdata lists a small awkward tree rather than `/`: real names, and a batch every ten seconds
// that costs the 2-core machine little.
const listRoot = makeAwkwardTree(path.join(scratch, 'getdata-root'), 40).root;
const getdataEnv = { LIST_ROOT: listRoot, MAX_FILES: '500' };
const options: PipelineOptions = {
  dataDir,
  logDir,
  replicas: DEFAULTS.apiReplicas,
  // croner's seconds field: every ten seconds, so the schedule scenario waits seconds, not minutes.
  schedule: '*/10 * * * * *',
  env: { getdata: getdataEnv },
};
// Every operation takes the pipeline from here, so a reset in progress is waited for rather
// than leaving the pipeline it is starting without an owner.
let current: Promise<Pipeline> = startPipeline(options);
await current.catch((err: unknown) => {
  logger.fatal({ err }, 'the local pipeline did not start');
  rmSync(scratch, { recursive: true, force: true });
  process.exit(1);
});

function reset(): Promise<Pipeline> {
  current = current.then(async (pipeline) => {
    await pipeline.stop();
    // Like `npm run reset`: the volume is emptied, folders and all, and the pipeline makes them anew.
    for (const entry of await readdir(dataDir)) await rm(path.join(dataDir, entry), { recursive: true, force: true });
    return startPipeline(options);
  });
  return current;
}

async function kill(service: Killable): Promise<string> {
  const pipeline = await current;
  const candidates = service === 'api' ? pipeline.apiReplicas() : [pipeline.get(service)];
  const victim = candidates[Math.floor(Math.random() * candidates.length)]!;
  // SIGKILL and start again, as a Deployment replaces a pod that died.
  await victim.restart('SIGKILL');
  logger.info({ killed: victim.name }, 'killed and restarted');
  return victim.name;
}

/** SIGTERM and start again, as a rollout or a pod deletion with its grace period does; both are the same here. */
async function restart(stage: DataStage, env?: Record<string, string>): Promise<string> {
  const p = (await current).get(stage);
  await p.restart('SIGTERM', env);
  await p.ready();
  logger.info({ restarted: p.name, env }, 'stopped with SIGTERM and started again');
  return p.name;
}

/** One getdata run without a schedule: it lists once and exits, as the CronJob's Job does. */
function getdataOnce(): Promise<Listed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'services/getdata/src/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...getdataEnv, DATA_DIR: dataDir, HOST: '127.0.0.1', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve(listedFrom(log));
      else reject(new GetdataError(`getdata exited with code ${code}:\n${log.slice(-2000)}`));
    });
  });
}

const routes: Record<string, (arg: string) => Promise<unknown>> = {
  'GET /state': async () => {
    const pipeline = await current;
    return { dataDir, dashboardUrl: pipeline.dashboardUrl, replicas: pipeline.apiReplicas().map((r) => r.name) };
  },
  'POST /getdata': () => getdataOnce(),
  'POST /kill': async (service) => ({ killed: await kill(service as Killable) }),
  'POST /restart': async (stage) => ({ restarted: await restart(stage as DataStage) }),
  'POST /mode': async (mode) => ({ restarted: await restart('json-to-api', { POST_MODE: mode }) }),
  'POST /reset': async () => reset().then(() => ({ reset: true })),
  'POST /stop': async () => {
    setImmediate(() => void shutdown('asked to stop'));
    return { stopping: true };
  },
};

const server = http.createServer((req, res) => {
  const [, route = '', arg = ''] = /^(\/[a-z]+)\/?(.*)$/.exec(req.url ?? '') ?? [];
  const handler = routes[`${req.method} ${route}`];
  const answer = handler ? handler(decodeURIComponent(arg)) : Promise.reject(new ControlError(`no route ${req.method} ${req.url}`));
  answer.then(
    (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
    (err: Error) => {
      logger.error({ err, url: req.url }, 'control request failed');
      res.writeHead(err instanceof ControlError ? 404 : 500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.message }));
    },
  );
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

let stopping = false;
async function shutdown(why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ why }, 'stopping the pipeline');
  await (await current.catch(() => undefined))?.stop();
  rmSync(scratch, { recursive: true, force: true });
  server.close();
  process.exit(0);
}

// The runner may die without running teardown (Ctrl-C twice, a crash): then nothing else stops us.
setInterval(() => {
  try {
    process.kill(Number(runnerPid), 0);
  } catch {
    void shutdown('the test runner is gone');
  }
}, 1000);
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
writeFileSync(`${stateFile}.tmp`, JSON.stringify({ url, pid: process.pid }));
renameSync(`${stateFile}.tmp`, stateFile);
logger.info({ url, dataDir, dashboardUrl: (await current).dashboardUrl }, 'local pipeline up');
