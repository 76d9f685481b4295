// Which Chromium the Playwright suite drives. Playwright's own download is the one it is made
// for, but machines that cannot download it (no route to its CDN) have a system Chromium or
// Chrome instead, under one of a few names. Pure: the caller hands in the environment.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export interface ChromiumSearch {
  /** CHROMIUM_PATH: when set, the only candidate. */
  override?: string;
  /** Where Playwright's own Chromium is when installed: chromium.executablePath(), which has none for some platforms. */
  bundled?: string;
  /** The PATH to look for a system Chromium on. */
  path: string;
  platform: NodeJS.Platform;
}

export class ChromiumNotFoundError extends Error {
  override name = 'ChromiumNotFoundError';
}

/** The usual names of a system Chromium or Chrome, preferred first. */
export const SYSTEM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];
/** Where the macOS apps keep their executable. */
export const MACOS_APPS = ['/Applications/Google Chrome.app/Contents/MacOS/Google Chrome', '/Applications/Chromium.app/Contents/MacOS/Chromium'];

const INSTALL_HINT =
  "Install one: `npx playwright install chromium`, or your system's Chromium or Chrome (Debian: apt-get install chromium), " +
  'or set CHROMIUM_PATH to a Chromium or Chrome executable.';

/** The executable to launch; throws ChromiumNotFoundError naming every place it looked. */
export function findChromium(search: ChromiumSearch): string {
  if (search.override !== undefined) {
    if (isExecutable(search.override)) return search.override;
    throw new ChromiumNotFoundError(`CHROMIUM_PATH is ${search.override}, which is not an executable file. Point it at a Chromium or Chrome executable, or unset it to search.`);
  }
  if (search.bundled !== undefined && isExecutable(search.bundled)) return search.bundled;
  const dirs = search.path.split(path.delimiter).filter(Boolean);
  for (const name of SYSTEM_NAMES) {
    for (const dir of dirs) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  const apps = search.platform === 'darwin' ? MACOS_APPS : [];
  const app = apps.find(isExecutable);
  if (app) return app;
  const tried = [
    `Playwright's own Chromium (${search.bundled ?? `none for ${search.platform}`})`,
    `${SYSTEM_NAMES.join(', ')} on PATH (${dirs.join(path.delimiter) || 'empty'})`,
    ...apps,
  ];
  throw new ChromiumNotFoundError(`no Chromium found for the e2e suite. Tried, in order: ${tried.join('; ')}. ${INSTALL_HINT}`);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
