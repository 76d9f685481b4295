import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChromiumNotFoundError, findChromium, MACOS_APPS } from '../lib/chromium.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'k8s-pipe-chromium-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fake executable (or, with mode 0o644, a file that is not one) at scratch/<rel>. */
function fake(rel: string, mode = 0o755): string {
  const file = path.join(scratch, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\nexit 0\n', { mode });
  return file;
}

const dir = (rel: string) => {
  const d = path.join(scratch, rel);
  mkdirSync(d, { recursive: true });
  return d;
};
const PATH = (...dirs: string[]) => dirs.join(path.delimiter);
const missing = path.join(scratch, 'ms-playwright', 'chromium-0000', 'chrome');

describe('finding the Chromium the e2e suite drives', () => {
  it("when Playwright's own Chromium is on disk, then it is used before any on PATH", () => {
    const bundled = fake('ms-playwright/chromium-1/chrome');
    fake('a/bin/chromium');
    expect(findChromium({ bundled, path: PATH(dir('a/bin')), platform: 'linux' })).toBe(bundled);
  });

  it("when Playwright's is missing, then the preferred name on PATH wins over a later one, wherever it sits", () => {
    const chrome = fake('b1/google-chrome');
    const chromium = fake('b2/chromium-browser');
    expect(findChromium({ bundled: missing, path: PATH(path.dirname(chrome), path.dirname(chromium)), platform: 'linux' })).toBe(chromium);
  });

  it('when two PATH entries hold the same name, then the earlier entry wins', () => {
    const first = fake('c1/google-chrome-stable');
    fake('c2/google-chrome-stable');
    expect(findChromium({ bundled: missing, path: PATH(dir('c1'), dir('c2')), platform: 'linux' })).toBe(first);
  });

  it('when a file of that name is not executable, then it is passed over', () => {
    fake('d1/chromium', 0o644);
    const usable = fake('d2/chromium');
    expect(findChromium({ bundled: missing, path: PATH(dir('d1'), dir('d2')), platform: 'linux' })).toBe(usable);
  });

  it('when CHROMIUM_PATH names an executable, then it is used before everything else', () => {
    const chosen = fake('e/my-chrome');
    const bundled = fake('ms-playwright/chromium-2/chrome');
    expect(findChromium({ override: chosen, bundled, path: PATH(dir('a/bin')), platform: 'linux' })).toBe(chosen);
  });

  it('when CHROMIUM_PATH names no executable, then the error says so instead of searching on', () => {
    const search = { override: path.join(scratch, 'nothing-here'), bundled: fake('ms-playwright/chromium-3/chrome'), path: '', platform: 'linux' as const };
    expect(() => findChromium(search)).toThrow(ChromiumNotFoundError);
    expect(() => findChromium(search)).toThrow(/CHROMIUM_PATH is .*nothing-here, which is not an executable file/);
  });

  it('when none is found on Linux, then the error names each place tried and how to get one', () => {
    const empty = dir('empty');
    const search = () => findChromium({ bundled: missing, path: PATH(empty), platform: 'linux' });
    expect(search).toThrow(ChromiumNotFoundError);
    expect(search).toThrow(`Playwright's own Chromium (${missing})`);
    expect(search).toThrow(`chromium, chromium-browser, google-chrome, google-chrome-stable on PATH (${empty})`);
    expect(search).toThrow(/npx playwright install chromium.*CHROMIUM_PATH/);
    expect(search).not.toThrow(/Applications/);
  });

  // On a Mac that has one of the apps, the search would find it: nothing to check there.
  it.skipIf(MACOS_APPS.some((app) => existsSync(app)))('when none is found on macOS, then the Chrome and Chromium apps were tried after PATH', () => {
    let message = '';
    try {
      findChromium({ path: PATH(dir('empty')), platform: 'darwin' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("Playwright's own Chromium (none for darwin)");
    for (const app of MACOS_APPS) expect(message).toContain(app);
    expect(message.indexOf('on PATH')).toBeLessThan(message.indexOf(MACOS_APPS[0]!));
  });
});
