// Real Docker for the image tests: build the service images once per run, start containers the
// way the cluster does (read-only root, uid 1000, no capabilities), and clean up after.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll } from 'vitest';
import { baseImage, buildImages, bundle, nameImages, SERVICES, type BaseImage, type Image } from '../lib/images.ts';

const docker = async (...args: string[]) => (await execa('docker', args)).stdout.trim();

/**
 * Fails, never skips, when Docker cannot run the tests, saying how to get it; resolves with the
 * base image the service images build on. CI starts the engine and builds the stand-in base in .ci/run.
 */
export async function requireDocker(): Promise<BaseImage> {
  const engine = await execa('docker', ['version', '--format', '{{.Server.Version}}'], { reject: false });
  if (engine.exitCode !== 0) {
    throw new Error(
      `the image tests need a Docker engine, and none answers (${engine.stderr.split('\n')[0] || engine.shortMessage}). ` +
        'Start one: `bash ../shared/airgap/docker-engine.sh` (Debian docker.io), or Docker Desktop.',
    );
  }
  const base = await baseImage();
  if (base.kind === 'pinned' && !base.present) {
    const plain = base.ref.slice(0, base.ref.indexOf('@'));
    throw new Error(
      `the base image is not here: neither ${base.ref} nor a local stand-in ${plain}. ` +
        `Pull the pinned one (\`docker pull ${base.ref}\`), or with no registry build the stand-in: \`bash ../shared/airgap/node-base-image.sh ${plain}\``,
    );
  }
  return base;
}

let runBase: BaseImage | undefined;

/** The base image this run's service images were built on; known once useImages() has built them. */
export function base(): BaseImage {
  if (!runBase) throw new Error('no images were built yet: call useImages() in the test file');
  return runBase;
}

/**
 * For a test file that runs the images: checks Docker, builds every service image as deploy
 * does (once; Docker caches them), and cleans up after the file. Returns the image of a service.
 */
export function useImages(): (service: string) => Image {
  const images = new Map<string, Image>();
  let docker = false;
  beforeAll(async () => {
    runBase = await requireDocker();
    docker = true;
    await bundle(SERVICES);
    const named = await nameImages(runBase, SERVICES);
    await buildImages(named, runBase);
    for (const image of named) images.set(image.service, image);
  }, 600_000);
  afterAll(() => (docker ? cleanUp() : undefined));
  return (service) => {
    const image = images.get(service);
    if (!image) throw new Error(`no image was built for ${service}`);
    return image;
  };
}

const dataDirs: string[] = [];

/** A host directory the containers' uid 1000 can write, like the local-path volume (mode 0777). */
export function dataDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'k8s-pipe-data-'));
  chmodSync(dir, 0o777);
  dataDirs.push(dir);
  return dir;
}

export const uniqueName = (prefix: string) => `${prefix}-${randomBytes(3).toString('hex')}`;

// Every container and network a test run makes carries this label, so cleanUp() finds them all.
const RUN_LABEL = `k8s-pipe.test-run=${uniqueName(String(process.pid))}`;

export interface ContainerOptions {
  env?: Record<string, string>;
  /** Host directory mounted at /data. */
  data?: string;
  network?: string;
  alias?: string;
  /** Publish port 8080 on a free loopback port. */
  publish?: boolean;
}

/** Starts a container as the cluster runs it; resolves with its id. */
export async function start(image: Image, o: ContainerOptions = {}): Promise<string> {
  const args = ['run', '--detach', '--label', RUN_LABEL, '--read-only', '--user', '1000:1000', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'];
  for (const [k, v] of Object.entries({ DATA_DIR: '/data', ...o.env })) args.push('--env', `${k}=${v}`);
  if (o.data) args.push('--volume', `${o.data}:/data`);
  if (o.network) args.push('--network', o.network);
  if (o.alias) args.push('--network-alias', o.alias);
  if (o.publish) args.push('--publish', '127.0.0.1::8080');
  return docker(...args, image.ref);
}

/** Runs a container to its end (getdata without SCHEDULE); resolves with its exit code. */
export async function runOnce(image: Image, o: ContainerOptions = {}): Promise<number> {
  const id = await start(image, o);
  return Number(await docker('wait', id));
}

export async function hostPort(id: string): Promise<number> {
  return Number((await docker('port', id, '8080/tcp')).split('\n')[0]?.split(':').pop());
}

/** Milliseconds from the container's start to the service's "listening" log line. */
export async function startupMs(id: string): Promise<number> {
  const started = Date.parse(await docker('inspect', '--format', '{{.State.StartedAt}}', id));
  const listening = (await docker('logs', id)).split('\n').find((l) => l.includes('listening'));
  if (!listening) throw new Error(`container ${id} logged no "listening" line`);
  return Date.parse((JSON.parse(listening) as { time: string }).time) - started;
}

export const logs = (id: string) => execa('docker', ['logs', id], { all: true }).then((r) => r.all ?? '');

/** Removes this run's containers and networks, and every data directory handed out. */
export async function cleanUp(): Promise<void> {
  const containers = (await docker('ps', '--all', '--quiet', '--filter', `label=${RUN_LABEL}`)).split('\n').filter(Boolean);
  if (containers.length > 0) await docker('rm', '--force', ...containers);
  const networks = (await docker('network', 'ls', '--quiet', '--filter', `label=${RUN_LABEL}`)).split('\n').filter(Boolean);
  if (networks.length > 0) await docker('network', 'rm', ...networks);
  for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A Docker network of its own for a test; cleanUp() removes it. */
export async function network(): Promise<string> {
  const name = uniqueName('k8s-pipe-smoke');
  await docker('network', 'create', '--label', RUN_LABEL, name);
  return name;
}

export const imageSize = async (ref: string) => Number(await docker('image', 'inspect', '--format', '{{.Size}}', ref));
export const imageLayers = async (ref: string) => JSON.parse(await docker('image', 'inspect', '--format', '{{json .RootFS.Layers}}', ref)) as string[];
