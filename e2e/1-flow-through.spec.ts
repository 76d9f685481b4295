// Scenario 1: a real listing with awkward names goes through every stage, and every line is
// answered once, by every api replica.
import { BatchWatch, expectAnsweredOnce, expectSpread, inPipelineOrder, leftovers, receiptsOf } from './batches.ts';
import { expect, test } from './fixtures.ts';
import { awkwardListing, content } from './listings.ts';
import { timeouts } from './settings.ts';

test('when a listing of 500+ real ls -l lines with awkward names is dropped, then txt, csv and json are consumed in turn and each line is answered once across the replicas', async ({
  target,
}) => {
  const listing = await test.step('make the listing with the real ls -l', () => awkwardListing('flow', 520));
  expect(listing.entries.length).toBeGreaterThanOrEqual(500);
  const watch = new BatchWatch(target, listing.isBatch);

  await test.step('drop it into txt/', () => target.drop(listing.fileName, content(listing)));

  await test.step('the batch moves from txt through csv and json to done, and each input is consumed', async () => {
    await watch.done(timeouts.delivery);
    test.info().annotations.push({ type: 'stages seen', description: watch.seen.join(' → ') });
    expect(inPipelineOrder(watch.seen), `stages seen: ${watch.seen.join(' → ')}`).toBe(true);
    const waiting = (await leftovers(target, [watch.batch!])).filter((f) => /^(txt|csv|json|\.tmp)\//.test(f));
    expect(waiting, 'inputs and temp files of the batch still on the volume').toEqual([]);
  });

  // The receipts carry the listing's line numbers, which text-to-csv assigns and csv-to-json
  // passes on: answers for exactly the entry lines show both converters handled the batch.
  await test.step('every line is answered exactly once, by every api replica', async () => {
    const pods = expectAnsweredOnce(await receiptsOf(target, watch.batch!), listing.entries);
    expectSpread(pods, await target.apiReplicas());
  });
});
