// Scenario 3: nobody triggers getdata, and a batch appears anyway: the schedule (every ten
// seconds locally, the CronJob's each minute on kind) is running.
import { batchProgress } from '../services/lib/progress.ts';
import { BatchWatch, expectAnsweredOnce, receiptsOf, summaryOf } from './batches.ts';
import { expect, test } from './fixtures.ts';
import { timeouts } from './settings.ts';

const GETDATA_BATCH = /^\d{8}T\d{9}Z-getdata-[0-9a-f]{6}$/;

test('when the schedule comes round, then getdata writes a batch by itself and it flows through', async ({ target }) => {
  test.setTimeout(timeouts.schedule + timeouts.delivery + 30_000);
  const before = await test.step('note the batches already there', async () => new Set(batchProgress(await target.files()).keys()));
  const watch = new BatchWatch(target, (batch) => GETDATA_BATCH.test(batch) && !before.has(batch));

  await test.step('a new getdata batch appears without a trigger', () => watch.until(() => true, 'a scheduled getdata batch appears', timeouts.schedule));

  await test.step('it reaches done with every line answered exactly once', async () => {
    await watch.done(timeouts.delivery);
    const summary = await summaryOf(target, watch.batch!);
    expect(summary.lines).toBeGreaterThan(0);
    expectAnsweredOnce(
      await receiptsOf(target, watch.batch!),
      Array.from({ length: summary.lines }, (_, i) => i + 1),
    );
  });
});
