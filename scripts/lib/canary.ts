// The canary: readiness judged by data, not by pods. A small hand-made listing is dropped into
// the source's folder as a canary batch and followed from stage to stage until json-to-api's
// summary accounts for every line. When it does not get there within CANARY_SECONDS, the error
// names the stage whose input folder holds it, with that stage's Deployment state and last logs.
// Deploy ends with it; `npm run canary` runs it alone.
import { sleep } from 'zx';
import { newCanaryId } from '../../services/lib/batches.ts';
import { DATA_STAGES, SINK, SOURCE } from '../../services/lib/pipeline.ts';
import type { Receipt } from '../../services/lib/receipt.ts';
import { shortfall, stalledError, whereIs, type StageState, type Summary, type Whereabouts } from './canary-report.ts';
import { kind } from './config.ts';
import { kubectl, kubectlJson } from './kube.ts';
import type { Progress } from './steps.ts';
import { volumeDoor } from './volume.ts';

/** GNU `ls -l` as LC_ALL=C prints it: files, directories, a symlink, names with spaces; every line becomes one document. */
export const CANARY_LISTING = [
  'drwxr-xr-x 2 root root 4096 Nov 21 10:00 bin',
  'drwxr-xr-x 4 root root 4096 Nov 20 08:12 boot',
  'drwxr-xr-x 5 root root  360 Nov 22 02:41 dev',
  'drwxr-xr-x 1 root root 4096 Nov 22 02:41 etc',
  'drwxr-xr-x 3 root root 4096 Nov 19 17:30 home',
  'lrwxrwxrwx 1 root root    7 Oct 14 12:00 lib -> usr/lib',
  'drwx------ 2 root root 16384 Oct 14 12:00 lost+found',
  'drwxr-xr-x 2 root root 4096 Oct 14 12:00 media',
  'drwxr-xr-x 2 root root 4096 Oct 14 12:00 mnt',
  'drwxr-xr-x 2 root root 4096 Oct 14 12:00 opt',
  'dr-xr-xr-x 180 root root   0 Nov 22 02:41 proc',
  'drwx------ 4 root root 4096 Nov 21 23:05 root',
  'drwxr-xr-x 9 root root  220 Nov 22 02:41 run',
  'lrwxrwxrwx 1 root root    8 Oct 14 12:00 sbin -> usr/sbin',
  'drwxr-xr-x 2 root root 4096 Oct 14 12:00 srv',
  'dr-xr-xr-x 13 root root   0 Nov 22 02:41 sys',
  'drwxrwxrwt 7 root root 4096 Nov 22 02:50 tmp',
  'drwxr-xr-x 12 root root 4096 Oct 14 12:00 usr',
  'drwxr-xr-x 11 root root 4096 Oct 14 12:00 var',
  '-rw-r--r-- 1 node node  220 Jan  6  2025 .bash_logout',
  '-rw-r--r-- 1 node node 3526 Jan  6  2025 .bashrc',
  '-rw-r--r-- 1 node node 1024 Nov 22 02:52 canary notes.txt',
  '-rwxr-xr-x 1 node node 8192 Nov 22 02:52 run-me.sh',
  'crw-rw-rw- 1 root root 1, 3 Nov 22 02:41 null',
];

// Each look is one kubectl exec, which itself takes a few tenths of a second.
const POLL_MS = 500;

interface Deployment {
  spec: { replicas?: number };
  status: { readyReplicas?: number };
}
interface PodList {
  items: Array<{
    metadata: { name: string; creationTimestamp: string };
    status: { containerStatuses?: Array<{ restartCount: number; state?: { waiting?: { reason?: string } } }> };
  }>;
}

/** The stage's Deployment, its pods and the newest pod's last log lines (its previous run's, when it waits to restart). */
async function stageState(stage: string): Promise<StageState> {
  const deployment = await kubectlJson<Deployment>(['get', 'deployment', stage]);
  const pods = (await kubectlJson<PodList>(['get', 'pods', '--selector', `app.kubernetes.io/name=${stage}`])).items.sort((a, b) =>
    b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp),
  );
  const seen = pods.map((p) => {
    const status = p.status.containerStatuses?.[0];
    return { name: p.metadata.name, waiting: status?.state?.waiting?.reason, restarts: status?.restartCount ?? 0 };
  });
  const newest = seen[0];
  let logs: StageState['logs'];
  if (newest) {
    const previous = newest.waiting !== undefined && newest.restarts > 0 ? ['--previous'] : [];
    const out = await kubectl(['logs', `pod/${newest.name}`, '--container', stage, '--tail=10', ...previous], { nothrow: true });
    logs = { pod: newest.name, lines: (out.exitCode === 0 ? out.stdout : out.stderr).split('\n') };
  }
  return { replicas: deployment.spec.replicas ?? 1, ready: deployment.status.readyReplicas ?? 0, pods: seen, logs };
}

const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).trim().split('\n')[0]!;

const ndjson = <T>(data: Buffer | undefined): T[] =>
  (data?.toString('utf8') ?? '')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as T);

/** Drops the canary, follows it to its summary and checks it; resolves with a one-line note. `progress` names each stage as the canary waits for it. */
export async function runCanary(progress: Progress = (_what, work) => work()): Promise<string> {
  const started = performance.now();
  const seconds = kind.canarySeconds;
  const deadline = Date.now() + seconds * 1000;
  const batch = newCanaryId();
  const volume = volumeDoor();
  const source = SOURCE.output!;
  const lines = CANARY_LISTING.length;
  await progress(`dropping ${batch} (${lines} lines) into ${source.dir}/`, () => volume.drop(`${batch}${source.ext}`, Buffer.from(`${CANARY_LISTING.join('\n')}\n`)));

  let where: Whereabouts = whereIs(await volume.files(batch), batch);
  for (const stage of DATA_STAGES) {
    await progress(stage, async () => {
      while (where.at === 'stage' && where.stage === stage) {
        // A stage whose Deployment cannot be read (deleted, API server gone) is still the one named.
        if (Date.now() >= deadline) throw stalledError({ batch, lines, seconds, where, state: await stageState(stage).catch((err: unknown) => firstLine(err)) });
        await sleep(POLL_MS);
        where = whereIs(await volume.files(batch), batch);
      }
      if (where.at !== 'stage' && where.at !== 'done') throw stalledError({ batch, lines, seconds, where });
    });
  }

  const summary = JSON.parse((await volume.read(SINK.output!.dir, `${batch}${SINK.output!.ext}`))!.toString('utf8')) as Summary & { pods: Record<string, number> };
  const receipts = ndjson<Receipt>(await volume.read(SINK.ledger!.dir, `${batch}${SINK.ledger!.ext}`));
  const short = shortfall(batch, lines, summary, receipts.filter((r) => r.outcome === 'ok').length);
  if (short) throw short;
  const took = ((performance.now() - started) / 1000).toFixed(1);
  return `${batch}: ${lines} lines through ${DATA_STAGES.length} stages in ${took}s, answered by ${Object.keys(summary.pods).length} api replicas`;
}
