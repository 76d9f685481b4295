// Scenario 2: getdata run on demand (a Job from the CronJob on kind) makes a batch that flows
// through like a dropped one.
import { BatchWatch, expectAnsweredOnce, expectSpread, inPipelineOrder, receiptsOf, summaryOf } from './batches.ts';
import { expect, test } from './fixtures.ts';
import { timeouts } from './settings.ts';

test('when getdata is triggered, then its listing flows through and each entry is answered once across the replicas', async ({ target }) => {
  const listed = await test.step('trigger getdata', () => target.triggerGetdata());
  expect(listed.entries).toBeGreaterThan(0);
  const watch = new BatchWatch(target, (batch) => batch === listed.batch);

  await test.step('the batch reaches done', async () => {
    await watch.done(timeouts.delivery);
    expect(inPipelineOrder(watch.seen), `stages seen: ${watch.seen.join(' → ')}`).toBe(true);
  });

  await test.step('every listed entry is answered exactly once, by every api replica', async () => {
    const lines = Array.from({ length: listed.entries }, (_, i) => i + 1);
    const pods = expectAnsweredOnce(await receiptsOf(target, listed.batch), lines);
    expectSpread(pods, await target.apiReplicas());
    expect(await summaryOf(target, listed.batch)).toMatchObject({ lines: listed.entries, ok: listed.entries, rejected: 0, invalid: 0 });
  });
});
