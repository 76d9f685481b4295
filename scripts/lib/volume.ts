// The data volume, reached through a pod that mounts it, with the pod's own node doing the file
// work, so nothing but node and kubectl is assumed on either side: a listing dropped into the
// source's folder atomically, the names in each folder, a file read back, and a summary of the
// contents (files and bytes per stage directory). The e2e suite and the canary both go through here.
import { SOURCE, DATA_STAGES } from '../../services/lib/pipeline.ts';
import { STAGE_DIRS, type DirListing, type StageDir } from '../../services/lib/layout.ts';
import { kind } from './config.ts';
import { VolumeError } from './errors.ts';
import { kubectl, kubectlJson } from './kube.ts';

/** A pod, and the container in it that mounts the volume. */
export interface PodRef {
  name: string;
  container: string;
}

interface PodList {
  items: Array<{
    metadata: { name: string; labels: Record<string, string>; deletionTimestamp?: string };
    status: { conditions?: Array<{ type: string; status: string }> };
  }>;
}

/** The ready pods a label selector picks, by name. */
export async function readyPods(selector: string): Promise<PodRef[]> {
  const pods = await kubectlJson<PodList>(['get', 'pods', '--selector', selector]);
  return pods.items
    .filter((p) => !p.metadata.deletionTimestamp && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((p) => ({ name: p.metadata.name, container: p.metadata.labels['app.kubernetes.io/name']! }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

// The scripts below run in a data stage's container, which finds the volume at its DATA_DIR
// (manifests/pod-defaults). Each takes the folders it needs as arguments.
const LIST = String.raw`
const fs = require('fs');
const [dirs, prefix] = [JSON.parse(process.argv[1]), process.argv[2] || ''];
const out = {};
for (const d of dirs) {
  try { out[d] = fs.readdirSync(process.env.DATA_DIR + '/' + d).filter((n) => n.startsWith(prefix)); }
  catch (e) { if (e.code !== 'ENOENT') throw e; out[d] = []; }
}
process.stdout.write(JSON.stringify(out));`;

const READ = String.raw`
const fs = require('fs');
try { process.stdout.write(fs.readFileSync(process.env.DATA_DIR + '/' + process.argv[1]).toString('base64')); }
catch (e) { if (e.code !== 'ENOENT') throw e; process.exitCode = 3; }`;

// Written beside the volume's other temp files, then renamed: the first stage never sees half a file.
const DROP = String.raw`
const fs = require('fs');
const [name, dir] = process.argv.slice(1);
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c)).on('end', () => {
  const tmp = process.env.DATA_DIR + '/.tmp/drop.' + name;
  const fd = fs.openSync(tmp, 'w');
  fs.writeSync(fd, Buffer.from(Buffer.concat(chunks).toString(), 'base64'));
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(tmp, process.env.DATA_DIR + '/' + dir + '/' + name);
});`;

const NOT_FOUND = 3;

// The data stages mount the volume read-write: any ready one is a door into it. Stages get
// restarted, so the door is whichever is ready when the one in use goes away.
const DOORS = `app.kubernetes.io/name in (${DATA_STAGES.join(',')})`;
const HINT = `npm run status, or kubectl --context ${kind.context} -n ${kind.namespace} get pods`;

export interface VolumeDoor {
  /** Places a complete file in the source's folder (txt/) under `fileName`, as a person dropping a listing would. */
  drop(fileName: string, content: Buffer): Promise<void>;
  /** The names in every folder of the volume; with `prefix`, only those that start with it. */
  files(prefix?: string): Promise<DirListing>;
  /** A file of the volume; undefined when it is not there. */
  read(dir: StageDir, fileName: string): Promise<Buffer | undefined>;
}

export function volumeDoor(): VolumeDoor {
  let door: PodRef | undefined;
  const exec = (d: PodRef, script: string, args: string[], input?: string) =>
    kubectl(['exec', ...(input === undefined ? [] : ['--stdin']), `pod/${d.name}`, '--container', d.container, '--', 'node', '-e', script, ...args], { input, nothrow: true });
  const node = async (script: string, args: string[], input?: string) => {
    door ??= (await readyPods(DOORS))[0];
    if (!door) throw new VolumeError('no ready data stage pod to reach the volume through', HINT);
    const out = await exec(door, script, args, input);
    // kubectl exec's own failures (pod gone, container not running) are not the script's exit codes.
    if (out.exitCode === 0 || out.exitCode === NOT_FOUND || !/pods? ".*" not found|container not found|unable to upgrade connection|does not have a host assigned/.test(out.stderr))
      return out;
    door = (await readyPods(DOORS))[0];
    if (!door) throw new VolumeError(`no ready data stage pod to reach the volume through: ${out.stderr.trim()}`, HINT);
    return exec(door, script, args, input);
  };

  return {
    async drop(fileName, content) {
      const out = await node(DROP, [fileName, SOURCE.output!.dir], content.toString('base64'));
      if (out.exitCode !== 0) throw new VolumeError(`could not drop ${fileName} into the volume: ${out.stderr.trim()}`, HINT);
    },
    async files(prefix = '') {
      const out = await node(LIST, [JSON.stringify(STAGE_DIRS), prefix]);
      if (out.exitCode !== 0) throw new VolumeError(`could not list the volume: ${out.stderr.trim()}`, HINT);
      return JSON.parse(out.stdout) as DirListing;
    },
    async read(dir, fileName) {
      const out = await node(READ, [`${dir}/${fileName}`]);
      if (out.exitCode === NOT_FOUND) return undefined;
      if (out.exitCode !== 0) throw new VolumeError(`could not read ${dir}/${fileName}: ${out.stderr.trim()}`, HINT);
      return Buffer.from(out.stdout, 'base64');
    },
  };
}

/** Files and bytes per folder; `readers` are deployments that mount the volume, the first with a running pod is used. */
export async function volumeSummary(readers: string[]): Promise<string[]> {
  let listing: string | undefined;
  for (const reader of readers) {
    const out = await kubectl(['exec', `deployment/${reader}`, '--', 'find', '/data', '-mindepth', '2', '-maxdepth', '2', '-type', 'f', '-printf', '%h %s\\n'], { nothrow: true });
    if (out.exitCode === 0) {
      listing = out.stdout;
      break;
    }
  }
  if (listing === undefined) throw new Error(`no running pod of ${readers.join(', ')} to read the volume through`);
  const dirs = new Map<string, { files: number; bytes: number }>();
  for (const line of listing.split('\n').filter(Boolean)) {
    const [dir = '', size = '0'] = line.split(' ');
    const d = dirs.get(dir) ?? { files: 0, bytes: 0 };
    dirs.set(dir, { files: d.files + 1, bytes: d.bytes + Number(size) });
  }
  if (dirs.size === 0) return ['empty'];
  return [...dirs]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([dir, d]) => `${dir.replace('/data/', '').padEnd(9)} ${String(d.files).padStart(5)} files ${(d.bytes / 1024).toFixed(1).padStart(10)} KiB`);
}
