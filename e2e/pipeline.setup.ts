import { test as setup } from './fixtures.ts';
import { timeouts } from './settings.ts';

setup('when the suite starts, then the pipeline is up (started here for local, checked for kind)', async ({ target }) => {
  setup.setTimeout(timeouts.start + 30_000);
  await target.up();
});
