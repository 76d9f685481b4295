// Scenario 7: the stops a developer causes all day, a rollout after a deploy and a pod deleted
// with its grace period, land on a data stage in the middle of a big batch, in each posting
// mode. On kind these are `kubectl rollout restart` and `kubectl delete pod`; locally, SIGTERM
// and a fresh process. Not one line may be lost or answered twice.
import { BatchWatch, expectAnsweredOnce, receiptsOf, summaryOf } from './batches.ts';
import { expect, test } from './fixtures.ts';
import { bigListing, content } from './listings.ts';
import { timeouts } from './settings.ts';
import type { DataStage, PoliteStop } from './target.ts';
import { DATA_STAGES, SINK } from '../services/lib/pipeline.ts';
import { progressWhileIn } from '../services/lib/progress.ts';

// Every data stage of services/lib/pipeline.ts gets a rollout; the sink, which stops the slowest, also a pod deletion.
const CASES: Array<{ stage: DataStage; how: PoliteStop }> = [...DATA_STAGES.map((stage) => ({ stage, how: 'rollout' as const })), { stage: SINK.name as DataStage, how: 'delete' }];

for (const mode of ['single', 'bulk'] as const) {
  test.describe(`posting mode ${mode}`, () => {
    test.beforeAll(async ({ target }) => target.postMode(mode));
    // The cluster is left as the manifests have it, so the next deploy finds nothing to change.
    test.afterAll(async ({ target }) => target.postMode('single'));

    for (const { stage, how } of CASES) {
      test(`when ${stage} is stopped by a ${how === 'rollout' ? 'rollout restart' : 'pod deletion with its grace period'} mid-batch (${mode}), then every line of a big listing is answered exactly once`, async ({
        target,
      }) => {
        test.setTimeout(timeouts.bigDelivery + timeouts.start * 2);
        const listing = bigListing(`stop-${stage}-${how}`, timeouts.stopLines);
        const watch = new BatchWatch(target, listing.isBatch);
        await test.step(`drop a ${listing.entries.length}-line listing into txt/`, () => target.drop(listing.fileName, content(listing)));

        const stopped = await test.step(`stop ${stage} while it works on the batch`, async () => {
          await watch.until((s) => s === progressWhileIn(stage), `${stage} has the batch`, timeouts.bigDelivery);
          return target.restart(stage, how);
        });
        test.info().annotations.push({ type: 'stopped', description: `${stopped} (${how}) while the batch was at ${watch.seen.at(-1)}` });

        await test.step('the batch reaches done with every line answered exactly once', async () => {
          await watch.done(timeouts.bigDelivery);
          expectAnsweredOnce(await receiptsOf(target, watch.batch!), listing.entries);
          expect(await summaryOf(target, watch.batch!)).toMatchObject({ lines: listing.entries.length, ok: listing.entries.length, mode });
        });
      });
    }
  });
}
