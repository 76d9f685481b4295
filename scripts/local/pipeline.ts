// The whole pipeline as local processes: what `npm start`, the integration tests, the e2e
// suite's local target and the benchmark all run. It mirrors the cluster: one process per
// Deployment, N api replicas behind a Service-like balancer, one shared data directory.
import path from 'node:path';
import { API, DASHBOARD, DATA_STAGES, SINK, SOURCE } from '../../services/lib/pipeline.ts';
import { startBalancer, type Balancer } from './balancer.ts';
import { spawnService, type ServiceProcess } from './processes.ts';

export interface PipelineOptions {
  dataDir: string;
  replicas: number;
  /** getdata's cron schedule; `false` leaves getdata out (tests and benchmarks drop their own listings). */
  schedule: string | false;
  /** Port of the api balancer; 0 picks a free one. */
  apiPort?: number;
  logDir?: string;
  /** Run the bundles in dist/images instead of the sources (see scripts/lib/images.ts). */
  bundled?: boolean;
  /** Extra environment per service folder name, e.g. { 'json-to-api': { POST_MODE: 'bulk' } }. */
  env?: Partial<Record<string, Record<string, string>>>;
}

export interface Pipeline {
  dataDir: string;
  logDir: string;
  apiUrl: string;
  dashboardUrl: string;
  /** Every process by instance name: each stage of services/lib/pipeline.ts, and api-1, api-2… */
  processes: Map<string, ServiceProcess>;
  apiReplicas(): ServiceProcess[];
  get(name: string): ServiceProcess;
  stop(): Promise<void>;
}

// A pod's memory limit makes V8 keep a small heap; on a workstation it would size the heap from
// all of the host's memory and collect lazily. The file stages stream, so this cap (the same as
// the manifests' NODE_OPTIONS) costs them little and keeps local figures honest.
export const STREAMING_NODE_OPTIONS = '--max-old-space-size=64 --max-semi-space-size=8';
// The images' MALLOC_ARENA_MAX (services/Dockerfile), for the same memory figures.
export const MALLOC_ARENAS = '2';

export async function startPipeline(o: PipelineOptions): Promise<Pipeline> {
  const dataDir = path.resolve(o.dataDir);
  const logDir = path.resolve(o.logDir ?? path.join(dataDir, 'logs'));
  const processes = new Map<string, ServiceProcess>();
  let balancer: Balancer | undefined;
  const envFor = (service: string, extra: Record<string, string> = {}) => ({
    DATA_DIR: dataDir,
    MALLOC_ARENA_MAX: MALLOC_ARENAS,
    ...(service === API.name ? {} : { NODE_OPTIONS: STREAMING_NODE_OPTIONS }),
    ...extra,
    ...(o.env?.[service] ?? {}),
  });
  const add = async (service: string, name: string, extra?: Record<string, string>) => {
    const p = await spawnService({ service, name, env: envFor(service, extra), logDir, bundled: o.bundled });
    processes.set(name, p);
    return p;
  };
  const stop = async () => {
    await Promise.all([...processes.values()].map((p) => p.kill('SIGTERM')));
    await balancer?.close();
  };
  try {
    const replicas = await Promise.all(Array.from({ length: o.replicas }, (_, i) => add(API.name, `${API.name}-${i + 1}`, { POD_NAME: `${API.name}-${i + 1}` })));
    await Promise.all(replicas.map((r) => r.ready()));
    balancer = await startBalancer(() => replicas, o.apiPort ?? 0);
    const apiUrl = `http://127.0.0.1:${balancer.port}`;
    for (const stage of DATA_STAGES) await add(stage, stage, stage === SINK.name ? { API_URL: apiUrl } : {});
    const dashboard = await add(DASHBOARD.name, DASHBOARD.name, { API_STATS_URL: `${apiUrl}/stats` });
    if (o.schedule !== false) await add(SOURCE.name, SOURCE.name, { SCHEDULE: o.schedule });
    await Promise.all([...processes.values()].map((p) => p.ready()));
    return {
      dataDir,
      logDir,
      apiUrl,
      dashboardUrl: `http://127.0.0.1:${dashboard.port}`,
      processes,
      apiReplicas: () => replicas,
      get(name) {
        const p = processes.get(name);
        if (!p) throw new Error(`no process named ${name}; running: ${[...processes.keys()].join(', ')}`);
        return p;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
