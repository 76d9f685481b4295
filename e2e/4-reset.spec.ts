// Scenario 4: a reset (`npm run reset` on kind; stop, wipe, start locally) leaves nothing of
// the earlier batches, and the pipeline works afterwards.
import { batchProgress } from '../services/lib/progress.ts';
import { BatchWatch, expectAnsweredOnce, leftovers, receiptsOf } from './batches.ts';
import { expect, test } from './fixtures.ts';
import { awkwardListing, content } from './listings.ts';
import { timeouts } from './settings.ts';

test('when the pipeline is reset, then the volume holds nothing of earlier batches and a new listing still flows through', async ({ target }) => {
  test.setTimeout(timeouts.reset + 2 * timeouts.delivery + 30_000);
  const first = awkwardListing('before-reset', 500);
  const earlier = await test.step('a batch flows through before the reset', async () => {
    const watch = new BatchWatch(target, first.isBatch);
    await target.drop(first.fileName, content(first));
    await watch.done(timeouts.delivery);
    return new Set(batchProgress(await target.files()).keys());
  });
  expect(earlier.size).toBeGreaterThan(0);

  await test.step('reset', () => target.reset());

  await test.step('nothing of the earlier batches is left on the volume', async () => {
    expect(await leftovers(target, earlier)).toEqual([]);
  });

  await test.step('a new listing flows through', async () => {
    const next = awkwardListing('after-reset', 500);
    const watch = new BatchWatch(target, next.isBatch);
    await target.drop(next.fileName, content(next));
    await watch.done(timeouts.delivery);
    expectAnsweredOnce(await receiptsOf(target, watch.batch!), next.entries);
  });
});
