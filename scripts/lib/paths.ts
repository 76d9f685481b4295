// Where the scripts find the project's files, whatever the current directory.
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const kindConfig = path.join(root, 'kind-config.yaml');
export const manifests = path.join(root, 'manifests');
export const localPathStorage = path.join(manifests, 'local-path-storage');
export const dockerfile = path.join(root, 'services', 'Dockerfile');
/** Build outputs (git-ignored): the bundles the Dockerfile copies, and deploy's overlay. */
export const imagesDir = path.join(root, 'dist', 'images');
export const overlayDir = path.join(root, 'dist', 'deploy');
/** Dev mode's (git-ignored): the bundles it delivers to the node, and its overlay. */
export const devCodeDir = path.join(root, 'dist', 'dev', 'code');
export const devOverlayDir = path.join(root, 'dist', 'dev', 'deploy');
/** The supervisor's bundle, beside the services' in the dev-code folder. */
export const SUPERVISOR = 'supervisor';

export const serviceEntry = (service: string, base = root) => path.join(base, 'services', service, 'src', 'main.ts');
