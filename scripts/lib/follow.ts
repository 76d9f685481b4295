// Follows the logs of every pipeline pod, including pods started later (each CronJob run), each
// line prefixed with its pod's name in a colour of its own. Runs until Ctrl-C.
import { chalk, type ProcessPromise } from 'zx';
import { kind } from './config.ts';
import { kubectl, kubectlJson } from './kube.ts';

export interface FollowOptions {
  /** Only this service's pods (app.kubernetes.io/name). */
  stage?: string;
  /** For pods already running when we start, e.g. "10m"; without it their last 20 lines. */
  since?: string;
}

interface PodList {
  items: {
    metadata: { name: string; creationTimestamp: string };
    status: { phase: string; containerStatuses?: { restartCount: number }[] };
  }[];
}

const POLL_MS = 2000;
const SIGNAL_GRACE_MS = 500;
const COLOURS = [chalk.cyan, chalk.magenta, chalk.yellow, chalk.green, chalk.blue, chalk.redBright, chalk.cyanBright, chalk.magentaBright];

function colourOf(name: string) {
  let h = 0;
  for (const c of name) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return COLOURS[h % COLOURS.length] ?? chalk.white;
}

export async function followLogs(o: FollowOptions): Promise<void> {
  const selector = o.stage ? `app.kubernetes.io/name=${o.stage}` : `app.kubernetes.io/part-of=${kind.namespace}`;
  const startedAt = Date.now();
  // Keyed by pod and restart count: a restarted container is followed again, a finished pod never twice.
  const followed = new Map<string, ProcessPromise>();
  let stopped = false;
  const stop = new Promise<void>((resolve) => {
    const end = () => {
      stopped = true;
      for (const p of followed.values()) if (p.stage === 'running') void p.kill();
      resolve();
    };
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
  });

  const follow = (pod: string, key: string, older: boolean) => {
    const history = older ? (o.since ? ['--since', o.since] : ['--tail', '20']) : [];
    const logs = kubectl(['logs', '--follow', '--all-containers', '--prefix=false', `pod/${pod}`, ...history], { nothrow: true, stream: true });
    followed.set(key, logs);
    const prefix = colourOf(pod)(pod);
    void (async () => {
      for await (const line of logs) console.log(`${prefix} ${line}`);
      // A pod still starting has no logs yet: try it again on the next poll.
      if ((await logs).exitCode !== 0 && !stopped) followed.delete(key);
    })();
  };

  while (!stopped) {
    let pods: PodList;
    try {
      pods = await kubectlJson<PodList>(['get', 'pods', '--selector', selector]);
    } catch (err) {
      // Ctrl-C reaches kubectl too, and its death may be reported before our own SIGINT.
      await Promise.race([stop, new Promise((r) => setTimeout(r, SIGNAL_GRACE_MS))]);
      if (stopped) break;
      throw err;
    }
    for (const pod of pods.items) {
      if (pod.status.phase === 'Pending') continue;
      const restarts = (pod.status.containerStatuses ?? []).reduce((n, c) => n + c.restartCount, 0);
      const key = `${pod.metadata.name}#${restarts}`;
      if (!followed.has(key)) follow(pod.metadata.name, key, Date.parse(pod.metadata.creationTimestamp) < startedAt);
    }
    await Promise.race([stop, new Promise((r) => setTimeout(r, POLL_MS))]);
  }
}
