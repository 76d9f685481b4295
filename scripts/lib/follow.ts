// Follows the logs of every pipeline pod through the Kubernetes API, the way `kubectl logs
// --follow` follows one pod: the pods are listed, then watched, so that each container is
// followed from its first line the moment it starts, a CronJob run's included. Runs until
// Ctrl-C, or until whatever reads stdout goes away.
import http from 'node:http';
import https from 'node:https';
import { createInterface } from 'node:readline';
import { ApiException, CoreV1Api, Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { expBackoff, retry } from 'zx';
import { kind } from './config.ts';
import { NoClusterError } from './errors.ts';
import { kubeConfig } from './kube-client.ts';
import type { Render } from './log-lines.ts';

export interface FollowOptions {
  /** Only this service's pods (app.kubernetes.io/name). */
  stage?: string;
  /** For containers already running when following starts: this far back; without it, their last 20 lines. */
  sinceSeconds?: number;
  render: Render;
}

const TAIL_LINES = 20;
// A watch that breaks is opened again, backing off from 0.25 s to 4 s: about 8 s in all, which
// an API server that restarts survives, and a paused or deleted cluster does not.
const WATCH_TRIES = 5;
const backoff = () => expBackoff('4s', '250ms');
const HINT = 'npm run status shows what runs; a paused cluster comes back with npm run resume';

/** One line on why a call failed: client-node's ApiException spreads its status over several, headers included. */
function reason(err: unknown): string {
  if (err instanceof ApiException) return `${err.code} ${/^Message: (.*)$/m.exec(err.message)?.[1] ?? ''}`.trim();
  return err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
}

interface Container {
  pod: string;
  name: string;
  /** Once per container run: a restarted container is followed again. */
  key: string;
  /** What its lines are shown with: the pod, and the container when the pod has several. */
  label: string;
}

function startedContainers(pod: V1Pod): Container[] {
  const podName = pod.metadata?.name ?? '';
  const several = (pod.spec?.initContainers?.length ?? 0) + (pod.spec?.containers.length ?? 0) > 1;
  return [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]
    .filter((s) => s.state?.running || s.state?.terminated)
    .map((s) => ({ pod: podName, name: s.name, key: `${podName}/${s.name}#${s.restartCount}`, label: several ? `${podName}/${s.name}` : podName }));
}

/**
 * A GET the API server answers line by line until it ends it (a log with follow=true): resolves
 * then, rejects when the connection breaks or the server refuses, with the server's reason.
 * client-node 1.4's Log is not used: when the connection breaks, the stream it writes to hears
 * nothing at all, so a lost log would go unnoticed; and a refusal reaches the caller without the
 * API server's reason.
 */
async function streamLines(config: KubeConfig, path: string, query: Record<string, string>, onLine: (line: string) => void, onAbort: (abort: () => void) => void): Promise<void> {
  const url = new URL(`${config.getCurrentCluster()!.server}${path}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const options: https.RequestOptions = {};
  await config.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).get(url, options, (response) => {
      // 204: the API server has no log to give, e.g. for a pod no node runs.
      if (response.statusCode === 204) {
        response.resume();
        return resolve();
      }
      if (response.statusCode !== 200) {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          const status = (() => {
            try {
              return (JSON.parse(body) as { message?: string }).message;
            } catch {
              return undefined;
            }
          })();
          reject(new Error(`${response.statusCode} ${status ?? body.trim()}`));
        });
        return;
      }
      // A broken stream errors on the response and on readline alike; 'close' tells it from a finished one.
      const ignore = () => undefined;
      createInterface({ input: response, crlfDelay: Infinity }).on('line', onLine).on('error', ignore);
      response.on('error', ignore);
      response.on('close', () => (response.complete ? resolve() : reject(new Error('the connection broke'))));
    });
    request.on('error', reject);
    onAbort(() => request.destroy());
  });
}

export async function followLogs(o: FollowOptions): Promise<void> {
  const config = kubeConfig();
  const api = config.makeApiClient(CoreV1Api);
  const watch = new Watch(config);
  const namespace = kind.namespace;
  const labelSelector = o.stage ? `app.kubernetes.io/name=${o.stage}` : `app.kubernetes.io/part-of=${kind.namespace}`;

  const aborts = new Set<() => void>();
  const track = (abort: () => void) => aborts.add(abort);
  let stopping = false;
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = () => {
      if (stopping) return;
      stopping = true;
      for (const abort of aborts) abort();
      resolve();
    };
  });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // `npm run logs | head`: the reader has gone, so there is nothing left to do.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    stop();
  });

  const print = (text: string | undefined) => text !== undefined && process.stdout.write(`${text}\n`);
  const following = new Set<string>();
  /** Containers whose stream broke, and when: they are followed again from there. */
  const lostAt = new Map<string, string>();

  /** Where a container's log is read from: where its stream broke; for one already running, --since or its last lines; else its first line. */
  const from = (key: string, alreadyRunning: boolean): Record<string, string> => {
    const since = lostAt.get(key);
    if (since) return { sinceTime: since };
    if (!alreadyRunning) return {};
    return o.sinceSeconds ? { sinceSeconds: String(o.sinceSeconds) } : { tailLines: String(TAIL_LINES) };
  };

  const follow = (pod: V1Pod, alreadyRunning: boolean) => {
    for (const c of startedContainers(pod)) {
      if (following.has(c.key)) continue;
      following.add(c.key);
      let abort = () => {};
      streamLines(
        config,
        `/api/v1/namespaces/${namespace}/pods/${c.pod}/log`,
        { container: c.name, follow: 'true', ...from(c.key, alreadyRunning) },
        (line) => print(o.render(c.label, line)),
        (a) => track((abort = a)),
      )
        .catch((err: unknown) => {
          if (stopping) return;
          following.delete(c.key);
          lostAt.set(c.key, new Date().toISOString());
          console.error(`${c.label}: lost its log stream (${reason(err)}); following it again when the API server next shows the pod`);
        })
        .finally(() => aborts.delete(abort));
    }
  };

  let resourceVersion = '';
  const list = async (alreadyRunning: boolean) => {
    const pods = await api.listNamespacedPod({ namespace, labelSelector });
    for (const pod of pods.items) follow(pod, alreadyRunning);
    resourceVersion = pods.metadata?.resourceVersion ?? '';
  };

  /** One watch from resourceVersion on, until the server ends it; resolves true when the server no longer has that version (410 Gone). */
  const watchOnce = () =>
    new Promise<boolean>((resolve, reject) => {
      let gone = false;
      let failure: Error | undefined;
      let abort = () => {};
      watch
        .watch(
          `/api/v1/namespaces/${namespace}/pods`,
          { labelSelector, resourceVersion, allowWatchBookmarks: true },
          (type: string, object: { code?: number; message?: string; metadata?: { resourceVersion?: string } }) => {
            // The server ends the watch after an ERROR event.
            if (type === 'ERROR') {
              if (object.code === 410) gone = true;
              else failure = new Error(object.message ?? 'the watch failed');
              return;
            }
            resourceVersion = object.metadata?.resourceVersion ?? resourceVersion;
            if (type === 'ADDED' || type === 'MODIFIED') follow(object as V1Pod, false);
          },
          (err: Error | null) => {
            aborts.delete(abort);
            if (err || failure) reject(err ?? failure);
            else resolve(gone);
          },
        )
        .then((controller) => {
          abort = () => controller.abort();
          if (!controller.signal.aborted) track(abort);
        }, reject);
    });

  const run = async () => {
    try {
      await list(true);
    } catch (err) {
      if (stopping) return;
      throw new NoClusterError(`cannot list the pods through the API server of ${kind.context}: ${reason(err)}`, HINT);
    }
    let relist = false;
    while (!stopping) {
      await retry(WATCH_TRIES, backoff(), async () => {
        if (stopping) return;
        try {
          // Pods may have started, and streams broken, while no watch was open.
          if (relist) await list(false);
          relist = await watchOnce();
        } catch (err) {
          if (stopping) return;
          relist = true;
          throw err;
        }
      }).catch((err: unknown) => {
        throw new NoClusterError(`lost the API server of ${kind.context}: ${reason(err)}`, HINT);
      });
    }
  };
  await Promise.race([run(), stopped]);
}

/** kubectl's --since form, "30s", "10m", "1h" or "1h30m", in seconds; undefined for anything else. */
export function parseSince(value: string): number | undefined {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
  if (!m || value === '') return undefined;
  const seconds = Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
  return seconds > 0 ? seconds : undefined;
}
