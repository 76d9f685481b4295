// The suite's `test`: Playwright's, with a `target` fixture that is the kind or local
// implementation of target.ts, chosen by E2E_TARGET.
import { test as base } from '@playwright/test';
import { kindTarget } from './kind-target.ts';
import { localTarget } from './local-target.ts';
import { targetName } from './settings.ts';
import type { Target } from './target.ts';

export const test = base.extend<{ target: Target }>({
  target: async ({ request }, use, testInfo) => {
    await use(targetName === 'local' ? localTarget(request, testInfo.project.outputDir) : kindTarget());
  },
});

export { expect } from '@playwright/test';
