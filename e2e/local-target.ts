// The local target: the pipeline runs as processes in e2e/local-host.ts, started by the setup
// project; the tests reach the shared data directory directly and the processes through the
// host's control API.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, type APIRequestContext } from '@playwright/test';
import { dropListing } from '../scripts/local/inspect.ts';
import { listDataDir } from '../services/lib/layout.ts';
import { timeouts } from './settings.ts';
import type { Killable, Listed, Target, DataStage } from './target.ts';

const HOST = path.join(import.meta.dirname, 'local-host.ts');

class LocalTargetError extends Error {
  override name = 'LocalTargetError';
}

interface HostState {
  dataDir: string;
  dashboardUrl: string;
  replicas: string[];
}

/** `outputDir` is Playwright's: emptied at the start of each run, so a stale host file cannot mislead. */
export function localTarget(request: APIRequestContext, outputDir: string): Target {
  const stateFile = path.join(outputDir, 'local-host.json');
  const logDir = path.join(outputDir, 'local-pipeline-logs');

  const call = async <T>(method: 'GET' | 'POST', route: string, timeout = 30_000): Promise<T> => {
    if (!existsSync(stateFile)) throw new LocalTargetError(`no local pipeline: ${stateFile} is missing (the setup project starts it)`);
    const { url } = JSON.parse(readFileSync(stateFile, 'utf8')) as { url: string };
    const res = await request.fetch(`${url}${route}`, { method, timeout });
    if (!res.ok()) throw new LocalTargetError(`${method} ${route}: HTTP ${res.status()} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const state = () => call<HostState>('GET', '/state');
  // A reset empties the data directory but keeps its path.
  let dir: string | undefined;
  const dataDir = async () => (dir ??= (await state()).dataDir);

  return {
    name: 'local',
    async up() {
      mkdirSync(logDir, { recursive: true });
      const log = openSync(path.join(logDir, 'local-host.log'), 'a');
      // Detached: the host must outlive this worker. It watches the runner (our parent) instead.
      const host = spawn(process.execPath, ['--import', 'tsx', HOST, stateFile, logDir, String(process.ppid)], {
        cwd: path.resolve(import.meta.dirname, '..'),
        detached: true,
        stdio: ['ignore', log, log],
      });
      closeSync(log);
      let exit: number | null | undefined;
      host.once('exit', (code) => (exit = code));
      host.unref();
      await expect
        .poll(
          () => {
            if (exit !== undefined) throw new LocalTargetError(`the local pipeline exited with code ${exit}; see ${logDir}`);
            return existsSync(stateFile);
          },
          { message: 'the local pipeline is up', timeout: timeouts.start },
        )
        .toBe(true);
    },
    async down() {
      await call('POST', '/stop');
    },
    async drop(fileName, content) {
      dropListing(await dataDir(), fileName, content);
    },
    async files() {
      return listDataDir(await dataDir());
    },
    async read(dir, fileName) {
      return readFile(path.join(await dataDir(), dir, fileName)).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
    },
    triggerGetdata: () => call<Listed>('POST', '/getdata'),
    apiReplicas: async () => (await state()).replicas,
    forceDelete: async (service: Killable) => (await call<{ killed: string }>('POST', `/kill/${service}`)).killed,
    restart: async (stage: DataStage) => (await call<{ restarted: string }>('POST', `/restart/${stage}`, timeouts.start)).restarted,
    postMode: async (mode) => {
      await call('POST', `/mode/${mode}`, timeouts.start);
    },
    reset: async () => {
      await call('POST', '/reset', timeouts.reset);
    },
    dashboardUrl: async () => (await state()).dashboardUrl,
  };
}
