// dashboard: a web page over the data directory, which it only reads (the cluster mounts the
// volume read-only), refreshed every second and pushed to open pages as server-sent events.
import type { LogLevel } from '../../lib/logger.ts';
import { runService, type Running } from '../../lib/service.ts';
import { ApiStats, markLive } from './api-stats.ts';
import { EventFeed } from './feed.ts';
import { DashboardModel, type DashboardState } from './model.ts';
import { dashboardRoutes } from './routes.ts';

export interface DashboardOptions {
  dataDir: string;
  /** The api's GET /stats behind its Service; without it the page shows no replica liveness. */
  apiStatsUrl?: string;
  refreshMs?: number;
  port?: number;
  host?: string;
  logLevel?: LogLevel;
}

const RECENT_BATCHES = 20;
// Five-second buckets over five minutes: a sparkline of 60 points.
const WINDOW = { bucketMs: 5000, buckets: 60 };

export function start(o: DashboardOptions): Promise<Running> {
  return runService({
    name: 'dashboard',
    port: o.port,
    host: o.host,
    logLevel: o.logLevel,
    async setup({ logger, metrics }) {
      const refreshSeconds = metrics.histogram('dashboard_refresh_seconds', 'Time to refresh the state from the data directory', [0.005, 0.02, 0.1, 0.5, 2]);
      const refreshErrors = metrics.counter('dashboard_refresh_errors_total', 'Refreshes that failed');
      const clients = metrics.gauge('dashboard_clients', 'Pages receiving live updates');
      const model = new DashboardModel({ dataDir: o.dataDir, recent: RECENT_BATCHES, window: WINDOW });
      const apiStats = o.apiStatsUrl ? new ApiStats({ url: o.apiStatsUrl, logger }) : undefined;
      const feed = new EventFeed((n) => clients.set(n));
      const scan = async (): Promise<DashboardState> => {
        const stopTimer = refreshSeconds.startTimer();
        const [next] = await Promise.all([model.refresh(), apiStats?.poll()]);
        stopTimer();
        return apiStats ? { ...next, replicas: markLive(next.replicas, apiStats.live()) } : next;
      };
      let state = await scan();
      logger.info({ dataDir: o.dataDir, batches: state.batches.length, apiStatsUrl: o.apiStatsUrl }, 'first scan done');
      const refresh = async () => {
        state = await scan();
        feed.publish(state);
      };

      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      let inFlight: Promise<void> = Promise.resolve();
      const tick = () => {
        inFlight = refresh()
          .catch((err: unknown) => {
            refreshErrors.inc();
            logger.error({ err }, 'refresh failed');
          })
          .finally(() => {
            if (!stopped) timer = setTimeout(tick, o.refreshMs ?? 1000);
          });
      };
      timer = setTimeout(tick, o.refreshMs ?? 1000);

      return {
        routes: dashboardRoutes(() => state, feed),
        async stop() {
          stopped = true;
          clearTimeout(timer);
          await inFlight;
          feed.close();
        },
      };
    },
  });
}
