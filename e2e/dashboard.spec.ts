// The dashboard in a real browser (Debian's Chromium): open before a batch is dropped, it
// shows the batch arrive and finish without a reload, with a bar for each replica that answered,
// and tags a canary batch as one.
import { CANARY_LISTING } from '../scripts/lib/canary.ts';
import type { DashboardState } from '../services/dashboard/src/model.ts';
import { newCanaryId } from '../services/lib/batches.ts';
import { SOURCE } from '../services/lib/pipeline.ts';
import { BatchWatch, expectAnsweredOnce, receiptsOf } from './batches.ts';
import { expect, test } from './fixtures.ts';
import { awkwardListing, content } from './listings.ts';
import { timeouts } from './settings.ts';

test('when a batch flows through, then the open dashboard shows it done and a non-zero bar for each replica that answered', async ({ target, page, request }) => {
  const url = await target.dashboardUrl();
  await test.step('open the dashboard', async () => {
    await page.goto(url);
    await expect(page.locator('#status')).toHaveClass(/live/);
  });

  const listing = awkwardListing('dashboard', 500);
  const watch = new BatchWatch(target, listing.isBatch);
  const pods = await test.step('a listing flows through', async () => {
    await target.drop(listing.fileName, content(listing));
    await watch.done(timeouts.delivery);
    return expectAnsweredOnce(await receiptsOf(target, watch.batch!), listing.entries);
  });

  await test.step('the page shows the batch as done, without a reload', async () => {
    await expect(page.locator(`tr[data-batch="${watch.batch}"]`)).toHaveAttribute('data-stage', 'done');
  });

  await test.step('each replica that answered has a non-zero bar', async () => {
    for (const [pod, answered] of pods) {
      const bar = page.locator(`[data-replica="${pod}"]`);
      await expect(bar).toBeVisible();
      await expect.poll(async () => Number(await bar.getAttribute('data-documents')), { message: `${pod}'s bar counts this batch's answers` }).toBeGreaterThanOrEqual(answered);
      expect((await bar.locator('.fill').boundingBox())?.width ?? 0, `${pod}'s bar width`).toBeGreaterThan(0);
    }
  });

  await test.step('the JSON endpoint says the same', async () => {
    const state = (await (await request.get(`${url}/state`)).json()) as DashboardState;
    expect(state.batches.find((b) => b.batch === watch.batch)).toMatchObject({ stage: 'done', pods: Object.fromEntries(pods) });
  });

  await test.info().attach('dashboard', { body: await page.screenshot({ fullPage: true }), contentType: 'image/png' });
});

test('when a canary batch flows through, then the open dashboard tags it canary and no other batch', async ({ target, page }) => {
  await page.goto(await target.dashboardUrl());
  await expect(page.locator('#status')).toHaveClass(/live/);
  const batch = newCanaryId();
  await target.drop(`${batch}${SOURCE.output!.ext}`, Buffer.from(`${CANARY_LISTING.join('\n')}\n`));
  const row = page.locator(`tr[data-batch="${batch}"]`);
  await expect(row, 'the canary shown done').toHaveAttribute('data-stage', 'done', { timeout: timeouts.delivery });
  await expect(row).toHaveAttribute('data-canary', 'true');
  await expect(row.locator('.tag.canary')).toHaveText('canary');
  await expect(page.locator('tr[data-canary="false"] .tag.canary'), 'tags on batches that are no canary').toHaveCount(0);
});
