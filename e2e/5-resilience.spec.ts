// Scenario 5: a converter and an api replica are force-deleted (on kind `--grace-period=0
// --force`: SIGTERM with no time to act on it, then SIGKILL; locally SIGKILL) while a big batch
// is on its way; the batch still arrives whole, each line answered once.
import { BatchWatch, expectAnsweredOnce, inPipelineOrder, receiptsOf } from './batches.ts';
import { expect, test } from './fixtures.ts';
import { awkwardListing, content } from './listings.ts';
import { timeouts } from './settings.ts';

test('when csv-to-json and then an api replica are force-deleted mid-batch, then no line of a big listing is lost or answered twice', async ({ target }) => {
  test.setTimeout(timeouts.bigDelivery + 60_000);
  const listing = await test.step(`make a ${timeouts.stopLines}-line listing with the real ls -l`, () => awkwardListing('resilience', timeouts.stopLines));
  expect(listing.entries.length).toBeGreaterThanOrEqual(timeouts.stopLines);
  const watch = new BatchWatch(target, listing.isBatch);
  await test.step('drop it into txt/', () => target.drop(listing.fileName, content(listing)));

  const converter = await test.step('force-delete csv-to-json while it converts the batch', async () => {
    await watch.until((s) => s === 'csv', 'csv-to-json has the batch', timeouts.delivery);
    return target.forceDelete('csv-to-json');
  });

  const replica = await test.step('force-delete an api replica while json-to-api posts the batch', async () => {
    await watch.until((s) => s === 'delivering', 'json-to-api is posting the batch', timeouts.bigDelivery);
    return target.forceDelete('api');
  });
  test.info().annotations.push({ type: 'force-deleted', description: `${converter}, then ${replica}` });

  await test.step('the batch reaches done with every line answered exactly once', async () => {
    await watch.done(timeouts.bigDelivery);
    test.info().annotations.push({ type: 'stages seen', description: watch.seen.join(' → ') });
    expect(inPipelineOrder(watch.seen), `stages seen: ${watch.seen.join(' → ')}`).toBe(true);
    const pods = expectAnsweredOnce(await receiptsOf(target, watch.batch!), listing.entries);
    expect(pods.size).toBeGreaterThanOrEqual(2);
  });
});
