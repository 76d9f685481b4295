// The suite's knobs, the only place the e2e side reads the environment: E2E_TARGET, and the time
// limits that follow from it (a cluster of several pods on a 2-core machine, with getdata on a
// one-minute CronJob, is slower than processes on a ten-second schedule); CHROMIUM_PATH and PATH,
// where playwright.config.ts looks for a browser.
import type { TargetName } from './target.ts';

const raw = process.env.E2E_TARGET ?? 'kind';
if (raw !== 'kind' && raw !== 'local') throw new Error(`E2E_TARGET must be kind or local, got ${JSON.stringify(raw)}`);
export const targetName: TargetName = raw;

export const browserSearch = {
  /** CHROMIUM_PATH: the Chromium or Chrome executable to drive, instead of searching for one. */
  override: process.env.CHROMIUM_PATH || undefined,
  path: process.env.PATH ?? '',
};

const local = {
  /** The pipeline's processes all ready. */
  start: 60_000,
  /** A dropped listing of a few hundred lines through every stage. */
  delivery: 60_000,
  /** A listing of 20,000 lines through every stage, with kills on the way. */
  bigDelivery: 180_000,
  /** The next scheduled getdata run (every ten seconds here). */
  schedule: 40_000,
  /** Wipe and start again. */
  reset: 90_000,
  /** A file dropped in txt/ claimed as a batch. */
  claim: 15_000,
  /**
   * Lines of the batch a stage is stopped or force-deleted in; the local stop matrix
   * (scripts/test/stops.test.ts) goes further. On kind each look at the volume is a kubectl exec,
   * so the batch must stay at a stage for several looks: csv-to-json holds 20,000 lines for about
   * a tenth of a second, and a force-delete test once missed it there.
   */
  stopLines: 20_000,
  /** `npm run dev` from no dev mode to `watching`: images, the first type check, a rollout (kind only). */
  devStart: 0,
  /** One dev-mode reload, from the save to every pod serving it (kind only). */
  reload: 0,
};

const kind: typeof local = {
  start: 180_000,
  delivery: 120_000,
  bigDelivery: 600_000,
  // The CronJob runs each minute and may skip a late start (startingDeadlineSeconds: 30).
  schedule: 150_000,
  reset: 420_000,
  claim: 30_000,
  stopLines: 100_000,
  devStart: 420_000,
  reload: 60_000,
};

export const timeouts = targetName === 'kind' ? kind : local;
