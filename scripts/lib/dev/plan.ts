// What dev mode does for a set of changed files. The smallest action that makes the cluster
// run what is on disk: a rebuild of the bundles (which then reloads the services whose bundle
// changed), an apply of the manifests, or new images when what goes into an image changed.
import path from 'node:path';

export interface Plan {
  /** Rebuild the bundles; only services whose bundle comes out different are reloaded. */
  rebuild: boolean;
  /** Apply manifests/ again, through the same diff-gated apply as deploy. */
  apply: boolean;
  /** Build and load the images again (and roll the pods onto them). */
  images: boolean;
}

/** Files an image is made of besides the bundle: the dependencies and the Dockerfile. */
const IMAGE_INPUTS = ['package.json', 'package-lock.json', 'services/Dockerfile'];
const CODE = /^(services|scripts\/lib\/dev)\/.*\.(ts|mts|json)$/;

/** `files` are paths relative to the project root, with either separator. */
export function planFor(files: string[]): Plan {
  const plan: Plan = { rebuild: false, apply: false, images: false };
  for (const file of files.map((f) => f.split(path.sep).join('/'))) {
    if (IMAGE_INPUTS.includes(file)) plan.images = true;
    else if (file.startsWith('manifests/')) plan.apply = true;
    else if (CODE.test(file) || file === 'tsconfig.json') plan.rebuild = true;
  }
  // New images carry new bundles and roll every pod: the dev overlay is applied with their tags.
  if (plan.images) Object.assign(plan, { rebuild: true, apply: true });
  return plan;
}

/** The bundles whose build differs from what the cluster runs: what a rebuild reloads. */
export function changedBuilds(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  return [...after].filter(([name, build]) => before.get(name) !== build).map(([name]) => name);
}
