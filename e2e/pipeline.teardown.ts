import { test as teardown } from './fixtures.ts';

teardown('when the suite ends, then the local pipeline is stopped and its data removed (kind stays up)', async ({ target }) => {
  await target.down();
});
