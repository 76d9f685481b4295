// The service images: each main.ts bundled by esbuild, built from services/Dockerfile with a
// tag that is a hash of what goes in, and loaded into the cluster's nodes when they lack it.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { $ } from './shell.ts';
import { kind } from './config.ts';
import { ImageError } from './errors.ts';
import { dockerfile, imagesDir, root, serviceEntry } from './paths.ts';

export const SERVICES = ['getdata', 'text-to-csv', 'csv-to-json', 'json-to-api', 'api', 'dashboard'] as const;
export type Service = (typeof SERVICES)[number];

export interface Image {
  service: Service;
  /** Repository name, also the name manifests/kustomization.yaml's `images:` entries use. */
  name: string;
  tag: string;
  ref: string;
}

// An ESM bundle of CommonJS packages (express, pino) still calls require(): give it one.
const requireShim = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/** Bundles each service into dist/images/<service>/main.mjs and names its image by content. */
export async function bundle(services: readonly Service[] = SERVICES): Promise<Image[]> {
  const missing = services.filter((s) => !existsSync(serviceEntry(s)));
  if (missing.length > 0) {
    throw new ImageError(`no entry point for ${missing.join(', ')} (services/<name>/src/main.ts)`, 'see "The services" in README.md for the services and their entry points');
  }
  await Promise.all(services.map((s) => rm(path.join(imagesDir, s), { recursive: true, force: true })));
  try {
    await build({
      entryPoints: Object.fromEntries(services.map((s) => [`${s}/main`, serviceEntry(s)])),
      outdir: imagesDir,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      banner: { js: requireShim },
      legalComments: 'none',
      logLevel: 'silent',
    });
  } catch (err) {
    throw new ImageError(`bundling failed: ${(err as Error).message}`, 'fix the error above; `npx tsc --noEmit` shows it with context');
  }
  const recipe = await readFile(dockerfile);
  return Promise.all(
    services.map(async (service) => {
      const code = await readFile(path.join(imagesDir, service, 'main.mjs'));
      const tag = createHash('sha256').update(recipe).update(code).digest('hex').slice(0, 12);
      const name = `k8s-pipe/${service}`;
      return { service, name, tag, ref: `${name}:${tag}` };
    }),
  );
}

/** Builds the images Docker does not have yet; resolves with those it built. */
export async function buildImages(images: Image[]): Promise<Image[]> {
  const built: Image[] = [];
  for (const image of images) {
    if ((await $({ nothrow: true, timeout: '30s' })`docker image inspect ${image.ref}`).exitCode === 0) continue;
    const out = await $({ cwd: root, nothrow: true, timeout: '10m' })`docker build --file ${dockerfile} --target ${image.service} --tag ${image.ref} .`;
    if (out.exitCode !== 0) {
      throw new ImageError(`docker build of ${image.ref} failed:\n${out.stderr.trim() || out.stdout.trim()}`, 'check the base image node:24-bookworm-slim is present or pullable');
    }
    built.push(image);
  }
  return built;
}

/** The images that some node lacks (containerd names them docker.io/<name>:<tag>). */
export async function missingOnNodes(images: Image[], nodes: string[]): Promise<Image[]> {
  const present = await Promise.all(
    nodes.map(async (node) => new Set((await $({ timeout: '30s' })`docker exec ${node} ctr --namespace k8s.io images list --quiet`).lines())),
  );
  return images.filter((image) => present.some((refs) => !refs.has(`docker.io/${image.ref}`)));
}

/** One `kind load` for all of them: the layers they share are copied once. */
export async function loadImages(images: Image[]): Promise<void> {
  if (images.length === 0) return;
  await $({ timeout: '10m' })`kind load docker-image --name ${kind.cluster} ${images.map((i) => i.ref)}`;
}
