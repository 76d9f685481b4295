// getdata: writes a listing at start, then on its cron schedule if it has one. In the cluster
// it has none: the CronJob runs it once per tick and it exits. A stop (SIGTERM) ends the
// listing under way, which is then never published.
import { Cron } from 'croner';
import { ensureLayout } from '../../lib/layout.ts';
import { removeStaleTemps } from '../../lib/files.ts';
import { ListingError } from '../../lib/errors.ts';
import type { LogLevel } from '../../lib/logger.ts';
import { runService, type Running } from '../../lib/service.ts';
import { writeListing, type ListingResult } from './listing.ts';
import { isStale, me, tempName } from './owner.ts';

export interface GetdataOptions {
  dataDir: string;
  root: string;
  maxFiles: number;
  /** Cron expression; without it getdata lists once. */
  schedule?: string;
  /** A listing taking longer than this is abandoned, and its temp file counts as stale. */
  timeoutMs?: number;
  port?: number;
  host?: string;
  logLevel?: LogLevel;
}

export interface RunningGetdata extends Running {
  /** Settles with the first listing (written at start). */
  first: Promise<ListingResult>;
  /** Writes a listing now, as a scheduled tick would. */
  trigger(): Promise<ListingResult>;
}

export async function start(o: GetdataOptions): Promise<RunningGetdata> {
  const l = await ensureLayout(o.dataDir);
  const self = me();
  const timeoutMs = o.timeoutMs ?? 300_000;
  let first!: Promise<ListingResult>;
  let trigger!: () => Promise<ListingResult>;
  const running = await runService({
    name: 'getdata',
    port: o.port,
    host: o.host,
    logLevel: o.logLevel,
    async setup({ logger, metrics }) {
      const stale = await removeStaleTemps(l.dir('.tmp'), 'getdata', (name) => isStale(name, self, timeoutMs));
      if (stale > 0) logger.warn({ files: stale }, 'removed temp files of interrupted runs');
      const listings = metrics.counter('getdata_listings_total', 'Listings written', ['outcome']);
      const entries = metrics.counter('getdata_entries_total', 'Entries listed');
      const stopping = new AbortController();
      let inFlight: Promise<ListingResult> | undefined;
      trigger = () => {
        // One listing at a time, like the CronJob's concurrencyPolicy: Forbid.
        const signal = AbortSignal.any([stopping.signal, AbortSignal.timeout(timeoutMs)]);
        inFlight ??= writeListing(l, o.root, o.maxFiles, (batch) => `getdata.${tempName(self, batch)}`, signal)
          .then((r) => {
            listings.inc({ outcome: 'ok' });
            entries.inc(r.entries);
            if (r.warnings.length > 0) logger.warn({ batch: r.batch, count: r.warnings.length, first: r.warnings.slice(0, 5) }, 'some entries could not be listed');
            logger.info({ batch: r.batch, entries: r.entries, file: r.path }, 'listing written');
            return r;
          })
          .catch((err: unknown) => {
            listings.inc({ outcome: stopping.signal.aborted ? 'stopped' : 'error' });
            const reason = signal.aborted && !stopping.signal.aborted ? new ListingError(`listing ${o.root} took longer than ${timeoutMs} ms`) : err;
            if (stopping.signal.aborted) logger.info('stopping: the listing under way is not published');
            else logger.error({ err: reason }, 'listing failed');
            throw reason;
          })
          .finally(() => {
            inFlight = undefined;
          });
        return inFlight;
      };
      first = trigger();
      // With a schedule nobody awaits the first run; its failure is logged above, and the next tick tries again.
      first.catch(() => undefined);
      const cron = o.schedule ? new Cron(o.schedule, () => void trigger().catch(() => undefined)) : undefined;
      if (cron) logger.info({ schedule: o.schedule, next: cron.nextRun()?.toISOString() }, 'scheduled');
      return {
        async stop() {
          cron?.stop();
          stopping.abort();
          await inFlight?.catch(() => undefined);
        },
      };
    },
  });
  return { ...running, first, trigger };
}
