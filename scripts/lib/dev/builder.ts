// Dev mode's builds: each service's bundle and the supervisor's, rebuilt incrementally by one
// esbuild context, and the type check. A build is delivered only when both pass, so a syntax or
// type error leaves the cluster on the code it has.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { context, type BuildContext, type BuildFailure, type Message } from 'esbuild';
import { bundleOptions, serviceEntries, type Service } from '../images.ts';
import { SUPERVISOR } from '../paths.ts';
import { buildIdOf } from './supervisor.ts';
import { createTypeChecker, type Change } from './typecheck.ts';

export type BundleResult = { ok: true; builds: Map<string, string> } | { ok: false; errors: string[] };

export interface Builder {
  /** Rebuilds every bundle; on success, each one's build ID by name (a service, or SUPERVISOR). */
  bundle(): Promise<BundleResult>;
  /** Tells the type check of `changes` and checks again: an error per line, none when it passes. */
  check(changes?: Change[]): string[];
  /** Where a bundle is: <outdir>/<name>/main.mjs, or <outdir>/supervisor.mjs. */
  fileOf(name: string): string;
  close(): Promise<void>;
}

const formatMessage = (m: Message): string => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column + 1} error: ${m.text}` : `error: ${m.text}`);

/** `root`: the project, whose services/<service>/src/main.ts and scripts/lib/dev/supervisor-main.ts are bundled. */
export async function createBuilder(o: { root: string; outdir: string; services: readonly Service[] }): Promise<Builder> {
  const entries = {
    ...serviceEntries(o.services, o.root),
    [SUPERVISOR]: path.join(o.root, 'scripts', 'lib', 'dev', 'supervisor-main.ts'),
  };
  const esbuild: BuildContext = await context({ ...bundleOptions(entries, o.outdir), absWorkingDir: o.root });
  const checker = createTypeChecker(o.root, Object.values(entries));
  const names = [...o.services, SUPERVISOR];
  const fileOf = (name: string) => path.join(o.outdir, name === SUPERVISOR ? `${SUPERVISOR}.mjs` : path.join(name, 'main.mjs'));
  return {
    fileOf,
    async bundle() {
      try {
        await esbuild.rebuild();
      } catch (err) {
        return { ok: false, errors: ((err as BuildFailure).errors ?? [{ text: String(err) } as Message]).map(formatMessage) };
      }
      return { ok: true, builds: new Map(await Promise.all(names.map(async (name) => [name, buildIdOf(await readFile(fileOf(name)))] as const))) };
    },
    check: (changes) => checker.check(changes),
    async close() {
      checker.close();
      await esbuild.dispose();
    },
  };
}
