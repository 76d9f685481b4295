// What the fake kubectl (fake-tool.mjs) and the fake API server (../fake-api.ts) both serve from
// the fake world's state.json: pods as Kubernetes objects, their label selectors, their log
// lines, and the kubeconfig that kind and kubectl keep beside it.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const NAMESPACE = 'k8s-pipe';
export const KIND_CONTEXT = 'kind-k8s-pipe';

export const labels = (p) => ({ 'app.kubernetes.io/name': p.app, 'app.kubernetes.io/part-of': NAMESPACE });

/** Whether a pod matches a label selector of the forms the scripts use; undefined for any other form. */
export function matches(selector, p) {
  if (!selector) return true;
  const l = labels(p);
  return selector.split(/,(?![^()]*\))/).every((term) => {
    const equal = term.match(/^([\w./-]+)=(.+)$/);
    if (equal) return l[equal[1]] === equal[2];
    const set = term.match(/^([\w./-]+) in \((.*)\)$/);
    if (set) return set[2].split(',').includes(l[set[1]]);
    throw new Error(`unsupported selector ${selector}`);
  });
}

/** Whether a pod is Ready: it runs, and its container is not waiting to be restarted. */
export const isReady = (p) => p.phase === 'Running' && !p.waiting;

/**
 * A pod as the API serves it. Its container runs (Running, Terminating), waits to start
 * (Pending) or to be restarted (`waiting`, such as CrashLoopBackOff), or has ended (Succeeded,
 * Failed); it started at `started`, else at `startedAt`.
 */
export function podObject(p, startedAt) {
  const started = p.started ?? startedAt;
  const ended = p.phase === 'Succeeded' || p.phase === 'Failed';
  const state =
    p.phase === 'Pending' || p.waiting
      ? { waiting: { reason: p.waiting ?? 'ContainerCreating' } }
      : ended
        ? { terminated: { exitCode: p.phase === 'Succeeded' ? 0 : 1, reason: p.phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: started, finishedAt: started } }
        : { running: { startedAt: started } };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: NAMESPACE,
      labels: labels(p),
      creationTimestamp: p.created,
      ownerReferences: [{ kind: p.app === 'getdata' ? 'Job' : 'ReplicaSet' }],
      ...(p.phase === 'Terminating' ? { deletionTimestamp: started } : {}),
    },
    spec: { containers: [{ name: p.app, image: `k8s-pipe/${p.app}:fake` }] },
    status: {
      phase: p.phase === 'Terminating' ? 'Running' : p.phase,
      conditions: [{ type: 'Ready', status: isReady(p) ? 'True' : 'False' }],
      containerStatuses: [{ name: p.app, image: `k8s-pipe/${p.app}:fake`, imageID: '', restartCount: p.restarts ?? 0, ready: isReady(p), started: !!state.running, state }],
    },
  };
}

/** The pod's log: `logs` when the test gave it, else a pino line and a plain one. */
export const podLogs = (p) =>
  p.logs ?? [JSON.stringify({ level: 30, time: '2026-11-21T05:34:12.345Z', service: p.app, msg: `started ${p.name}`, port: 8080 }), `plain line from ${p.name}`];

/**
 * $HOME/.kube/config as kind and kubectl leave it, from state.contexts and state.currentContext:
 * kind's context reaches the fake API server at its root, any other context under /<name>,
 * each with its own token.
 */
export function writeKubeconfig(dir, state) {
  const server = (name) => (name === KIND_CONTEXT ? state.apiServer : `${state.apiServer}/${name}`);
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': state.currentContext ?? '',
    clusters: state.contexts.map((name) => ({ name, cluster: { server: server(name), 'insecure-skip-tls-verify': true } })),
    users: state.contexts.map((name) => ({ name, user: { token: `${name}-token` } })),
    contexts: state.contexts.map((name) => ({ name, context: { cluster: name, user: name } })),
  };
  const file = path.join(dir, '.kube', 'config');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.${process.pid}`, JSON.stringify(config, null, 2));
  renameSync(`${file}.${process.pid}`, file);
}
