// The e2e suite: `npm run e2e` against the kind cluster (default), E2E_TARGET=local against the
// pipeline as processes. Reports go to playwright-report/ (HTML) and the terminal.
import { chromium, defineConfig } from '@playwright/test';
import { browserSearch, targetName, timeouts } from './e2e/settings.ts';
import { findChromium } from './scripts/lib/chromium.ts';

// Playwright's own Chromium where it was downloaded; else a system Chromium or Chrome, since a
// machine without a route to Playwright's downloads (this one) cannot fetch it. CHROMIUM_PATH
// overrides both. Playwright has no build for some platforms, and says so by throwing.
const bundled = (() => {
  try {
    return chromium.executablePath();
  } catch {
    return undefined;
  }
})();
const CHROMIUM = findChromium({ ...browserSearch, bundled, platform: process.platform });
// The flags keep the browser off a network it may not reach and away from features a headless
// test run has no use for.
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Specs that drive the cluster itself (npm run canary, kubectl scale, npm run dev): no local counterpart.
const KIND_ONLY = ['8-canary.spec.ts', '9-dev-mode.spec.ts'];

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // One pipeline serves every test and the reset scenario empties it: one test at a time.
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: timeouts.delivery + 60_000,
  expect: { timeout: timeouts.delivery },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1280, height: 900 },
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_FLAGS },
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'setup', testMatch: 'pipeline.setup.ts', teardown: 'teardown' },
    { name: 'teardown', testMatch: 'pipeline.teardown.ts' },
    { name: targetName, testMatch: '*.spec.ts', testIgnore: targetName === 'kind' ? [] : KIND_ONLY, dependencies: ['setup'] },
  ],
});
