// getdata: writes a listing at start, then on its cron schedule if it has one. In the cluster
// it has none: the CronJob runs it once per tick and it exits.
import { Cron } from 'croner';
import { ensureLayout } from '../../lib/layout.ts';
import { removeStaleTemps } from '../../lib/files.ts';
import type { LogLevel } from '../../lib/logger.ts';
import { runService, type Running } from '../../lib/service.ts';
import { writeListing, type ListingResult } from './listing.ts';

export interface GetdataOptions {
  dataDir: string;
  root: string;
  maxFiles: number;
  /** Cron expression; without it getdata lists once. */
  schedule?: string;
  port?: number;
  host?: string;
  logLevel?: LogLevel;
}

export interface RunningGetdata extends Running {
  /** Resolves with the first listing (written at start). */
  first: Promise<ListingResult>;
  /** Writes a listing now, as a scheduled tick would. */
  trigger(): Promise<ListingResult>;
}

export async function start(o: GetdataOptions): Promise<RunningGetdata> {
  const l = await ensureLayout(o.dataDir);
  let first!: Promise<ListingResult>;
  let trigger!: () => Promise<ListingResult>;
  const running = await runService({
    name: 'getdata',
    port: o.port ?? 8080,
    host: o.host,
    logLevel: o.logLevel,
    async setup({ logger, metrics }) {
      await removeStaleTemps(l.dir('.tmp'), 'getdata');
      const listings = metrics.counter('getdata_listings_total', 'Listings written', ['outcome']);
      const entries = metrics.counter('getdata_entries_total', 'Entries listed');
      let inFlight: Promise<ListingResult> | undefined;
      trigger = () => {
        // One listing at a time, like the CronJob's concurrencyPolicy: Forbid.
        inFlight ??= writeListing(l, o.root, o.maxFiles)
          .then((r) => {
            listings.inc({ outcome: 'ok' });
            entries.inc(r.entries);
            if (r.warnings.length > 0) logger.warn({ batch: r.batch, count: r.warnings.length, first: r.warnings.slice(0, 5) }, 'some entries could not be listed');
            logger.info({ batch: r.batch, entries: r.entries, file: r.path }, 'listing written');
            return r;
          })
          .catch((err: unknown) => {
            listings.inc({ outcome: 'error' });
            logger.error({ err }, 'listing failed');
            throw err;
          })
          .finally(() => {
            inFlight = undefined;
          });
        return inFlight;
      };
      first = trigger();
      const cron = o.schedule ? new Cron(o.schedule, () => void trigger().catch(() => undefined)) : undefined;
      if (cron) logger.info({ schedule: o.schedule, next: cron.nextRun()?.toISOString() }, 'scheduled');
      return {
        async stop() {
          cron?.stop();
          await inFlight?.catch(() => undefined);
        },
      };
    },
  });
  return { ...running, first, trigger };
}
