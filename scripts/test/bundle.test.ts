import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, test } from 'vitest';
import { bundleOptions, serviceEntries } from '../lib/images.ts';

describe('service bundles', () => {
  test('when a service is bundled, then its source is all ASCII, so V8 keeps it at one byte a character', async () => {
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'bundle-'));
    // csv-to-json takes in zod and, through express, iconv-lite: both have comments past ASCII.
    await build(bundleOptions(serviceEntries(['csv-to-json']), outdir));
    const source = readFileSync(path.join(outdir, 'csv-to-json', 'main.mjs'), 'utf8');
    expect(source).toContain('multiple of zero \\u2014 the number branch');
    expect(source.match(/[\u0080-\uffff]/g) ?? []).toEqual([]);
  });
});
