// What `npm run deploy` and `npm run dev` share: the steps up to the images, and an apply that
// writes only what differs. Each script lists its own steps after them.
import { ensureCluster, nodeNames } from './cluster.ts';
import { baseImage, bundle, buildImages, describeBase, loadImages, missingOnNodes, nameImages, type Image } from './images.ts';
import { kubectl } from './kube.ts';
import type { Progress, Step } from './steps.ts';
import { ensureStorage } from './storage.ts';
import { preflight } from './tools.ts';

/** The longest step, minutes on a cold machine: each image is its own sub-step. */
export async function ensureImages(progress: Progress): Promise<{ images: Image[]; note: string }> {
  await progress('bundling the services', () => bundle());
  const base = await progress('choosing the base image', () => baseImage());
  const images = await nameImages(base);
  const built: Image[] = [];
  for (const [i, image] of images.entries()) {
    built.push(...(await progress(`${image.ref} (${i + 1}/${images.length})`, () => buildImages([image], base))));
  }
  const missing = await progress('finding what the node lacks', async () => missingOnNodes(images, await nodeNames()));
  if (missing.length > 0) await progress(`loading ${missing.length} images into the node`, () => loadImages(missing));
  return {
    images,
    note: `${built.length} built, ${missing.length} loaded, ${images.length - missing.length} already on the node; base ${describeBase(base)}`,
  };
}

/** preflight, cluster, storage, images: `built` is given the images the cluster is to run. */
export function clusterSteps(built: (images: Image[]) => void): Step[] {
  return [
    { name: 'preflight', run: () => preflight(['docker', 'kind', 'kubectl']) },
    { name: 'cluster', run: ensureCluster },
    { name: 'storage', run: ensureStorage },
    {
      name: 'images',
      run: async (progress) => {
        const result = await ensureImages(progress);
        built(result.images);
        return result.note;
      },
    },
  ];
}

/** "12 unchanged, 1 configured": what `kubectl apply` did, counted by its last word per line. */
function applied(lines: string[]): string {
  const counts = new Map<string, number>();
  for (const line of lines.filter(Boolean)) {
    const verb = line.trim().split(' ').pop() ?? '';
    counts.set(verb, (counts.get(verb) ?? 0) + 1);
  }
  return [...counts].map(([verb, n]) => `${n} ${verb}`).join(', ');
}

export const NO_CHANGES = 'no changes: the cluster runs these manifests';

/**
 * Applies the kustomization in `overlay` only when the server's dry run finds a difference, so an
 * unchanged re-run writes nothing (plain apply re-patches the PDB every time: its selector is a
 * replace-strategy field). diff exits 0 for no change, 1 for changes, above 1 when it cannot tell
 * (first deploy).
 */
export async function applyOverlay(overlay: string): Promise<string> {
  if ((await kubectl(['diff', '--kustomize', overlay], { nothrow: true })).exitCode === 0) return NO_CHANGES;
  return applied((await kubectl(['apply', '--kustomize', overlay])).lines());
}
