// The service images: each main.ts bundled by esbuild, built from services/Dockerfile on the
// base image it pins (or the offline stand-in for it) with a tag that is a hash of what goes in,
// and loaded into the cluster's nodes when they lack it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { $ } from './shell.ts';
import { kind } from './config.ts';
import { ImageError } from './errors.ts';
import { dockerfile, imagesDir, root, serviceEntry } from './paths.ts';
import { SERVICES, type ServiceName as Service } from '../../services/lib/pipeline.ts';

// Every service of the pipeline definition has an image, named after it.
export { SERVICES, type Service };

export interface Image {
  service: Service;
  /** Repository name, also the name manifests/kustomization.yaml's `images:` entries use. */
  name: string;
  tag: string;
  ref: string;
}

/**
 * What the images build on. `pinned`: the Dockerfile's ARG BASE_IMAGE, a multi-arch index digest,
 * whether Docker holds it yet or will pull it. `stand-in`: the plain tag, built here with no
 * registry (../shared/airgap/node-base-image.sh); it has no digest, so its image ID says what it is.
 */
export type BaseImage = { kind: 'pinned'; ref: string; present: boolean } | { kind: 'stand-in'; ref: string; id: string };

/** The Dockerfile's pin: `ARG BASE_IMAGE=<name>:<tag>@sha256:<index digest>`. */
export async function pinnedBase(): Promise<string> {
  const pinned = /^ARG BASE_IMAGE=(\S+@sha256:[0-9a-f]{64})$/m.exec(await readFile(dockerfile, 'utf8'))?.[1];
  if (!pinned) throw new ImageError(`${dockerfile} pins no base image`, 'give it `ARG BASE_IMAGE=<name>:<tag>@sha256:<index digest>` before the first FROM');
  return pinned;
}

/** Which base image to build on: the pinned one when Docker has it, else a local stand-in under its plain tag, else the pinned one (pulled). */
export async function baseImage(): Promise<BaseImage> {
  const pinned = await pinnedBase();
  if ((await $({ nothrow: true, timeout: '30s' })`docker image inspect --format ${'{{.Id}}'} ${pinned}`).exitCode === 0) {
    return { kind: 'pinned', ref: pinned, present: true };
  }
  // A pulled image records the digest it came by; an imported or built one records none.
  const plain = pinned.slice(0, pinned.indexOf('@'));
  const local = await $({ nothrow: true, timeout: '30s' })`docker image inspect --format ${'{{.Id}} {{len .RepoDigests}}'} ${plain}`;
  const [id, digests] = local.stdout.trim().split(' ');
  if (local.exitCode === 0 && id && digests === '0') return { kind: 'stand-in', ref: plain, id };
  return { kind: 'pinned', ref: pinned, present: false };
}

export const describeBase = (base: BaseImage) => (base.kind === 'pinned' ? base.ref : `the local stand-in ${base.ref} (${base.id.slice(0, 19)})`);

// An ESM bundle of CommonJS packages (express, pino) still calls require(): give it one.
const requireShim = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

// V8 keeps a script's source in memory, at two bytes a character if one of them is past ASCII.
// esbuild escapes such characters in code but copies some comments as written (a dash in zod's, a
// yen sign in iconv-lite's), so they are escaped here too: json-to-api's peak RSS went from 96-98
// to 94-95 MB.
const asciiOnly: Plugin = {
  name: 'ascii-only',
  setup(b) {
    b.onEnd(async (result) => {
      // A build kept in memory, for its metafile, is never run.
      if (b.initialOptions.write === false) return;
      const cwd = b.initialOptions.absWorkingDir ?? process.cwd();
      for (const out of Object.keys(result.metafile?.outputs ?? {})) {
        const file = path.resolve(cwd, out);
        const text = await readFile(file, 'utf8');
        if (/[\u0080-\uffff]/.test(text))
          await writeFile(
            file,
            text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
          );
      }
    });
  },
};

/** How every service is bundled, for its image and for dev mode alike: <outdir>/<service>/main.mjs. */
export function bundleOptions(entries: Record<string, string>, outdir: string): BuildOptions {
  return {
    entryPoints: entries,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    banner: { js: requireShim },
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
    plugins: [asciiOnly],
  };
}

/** esbuild's entry points of these services: `<service>/main` to services/<service>/src/main.ts of the project at `base`. */
export function serviceEntries(services: readonly Service[], base = root): Record<string, string> {
  const missing = services.filter((s) => !existsSync(serviceEntry(s, base)));
  if (missing.length > 0) {
    throw new ImageError(`no entry point for ${missing.join(', ')} (services/<name>/src/main.ts)`, 'see "The services" in README.md for the services and their entry points');
  }
  return Object.fromEntries(services.map((s) => [`${s}/main`, serviceEntry(s, base)]));
}

/** Bundles each service into dist/images/<service>/main.mjs. */
export async function bundle(services: readonly Service[] = SERVICES): Promise<void> {
  const entries = serviceEntries(services);
  await Promise.all(services.map((s) => rm(path.join(imagesDir, s), { recursive: true, force: true })));
  try {
    await build(bundleOptions(entries, imagesDir));
  } catch (err) {
    throw new ImageError(`bundling failed: ${(err as Error).message}`, 'fix the error above; `npx tsc --noEmit` shows it with context');
  }
}

/**
 * Names each bundled service's image by what goes into it: the Dockerfile (which holds the pin),
 * the base image built on (for a stand-in, its ID too), and the bundle.
 */
export async function nameImages(base: BaseImage, services: readonly Service[] = SERVICES): Promise<Image[]> {
  const recipe = await readFile(dockerfile);
  const from = `${base.ref}\n${base.kind === 'stand-in' ? base.id : ''}\n`;
  return Promise.all(
    services.map(async (service) => {
      const code = await readFile(path.join(imagesDir, service, 'main.mjs'));
      const tag = createHash('sha256').update(recipe).update(from).update(code).digest('hex').slice(0, 12);
      const name = `k8s-pipe/${service}`;
      return { service, name, tag, ref: `${name}:${tag}` };
    }),
  );
}

/** Builds, on `base`, the images Docker does not have yet; resolves with those it built. */
export async function buildImages(images: Image[], base: BaseImage): Promise<Image[]> {
  const built: Image[] = [];
  for (const image of images) {
    if ((await $({ nothrow: true, timeout: '30s' })`docker image inspect ${image.ref}`).exitCode === 0) continue;
    const out = await $({
      cwd: root,
      nothrow: true,
      timeout: '10m',
    })`docker build --file ${dockerfile} --build-arg ${`BASE_IMAGE=${base.ref}`} --build-arg ${`SERVICE=${image.service}`} --tag ${image.ref} .`;
    if (out.exitCode !== 0) {
      throw new ImageError(
        `docker build of ${image.ref} on ${describeBase(base)} failed:\n${out.stderr.trim() || out.stdout.trim()}`,
        `the base image must be here or pullable: \`docker pull ${base.ref}\`, or with no registry the stand-in of hack/airgap/README.md`,
      );
    }
    built.push(image);
  }
  return built;
}

/** The images that some node lacks (containerd names them docker.io/<name>:<tag>). */
export async function missingOnNodes(images: Image[], nodes: string[]): Promise<Image[]> {
  const present = await Promise.all(nodes.map(async (node) => new Set((await $({ timeout: '30s' })`docker exec ${node} ctr --namespace k8s.io images list --quiet`).lines())));
  return images.filter((image) => present.some((refs) => !refs.has(`docker.io/${image.ref}`)));
}

/** One `kind load` for all of them: the layers they share are copied once. */
export async function loadImages(images: Image[]): Promise<void> {
  if (images.length === 0) return;
  await $({ timeout: '10m' })`kind load docker-image --name ${kind.cluster} ${images.map((i) => i.ref)}`;
}
