// Scenario 6: garbage among good lines. The garbage goes to dead letters with its reason; the
// good lines all reach the api.
import { BatchWatch, deadLettersOf, expectAnsweredOnce, receiptsOf, summaryOf } from './batches.ts';
import { expect, test } from './fixtures.ts';
import { awkwardListing, content } from './listings.ts';
import { timeouts } from './settings.ts';

test('when a listing has garbage lines among good ones, then the garbage lands in dead letters with reasons and every good line reaches the api', async ({ target }) => {
  const listing = awkwardListing('bad-input', 500, { garbage: true });
  const watch = new BatchWatch(target, listing.isBatch);
  await test.step('drop the listing with garbage', () => target.drop(listing.fileName, content(listing)));
  await test.step('the batch reaches done', () => watch.done(timeouts.delivery));

  await test.step('each garbage line is a dead letter with a reason', async () => {
    const dead = await deadLettersOf(target, watch.batch!);
    expect(dead.map((d) => d.line).sort((a, b) => a - b)).toEqual(listing.garbage);
    for (const d of dead) {
      expect(d, `dead letter of line ${d.line}`).toMatchObject({
        batch: watch.batch,
        stage: expect.stringMatching(/^(text-to-csv|csv-to-json)$/),
        reason: expect.stringMatching(/\S/),
        raw: expect.stringMatching(/\S/),
      });
    }
  });

  await test.step('every good line is answered exactly once', async () => {
    expectAnsweredOnce(await receiptsOf(target, watch.batch!), listing.entries);
    expect(await summaryOf(target, watch.batch!)).toMatchObject({ ok: listing.entries.length, rejected: 0, invalid: 0 });
  });
});
