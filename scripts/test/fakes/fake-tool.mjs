// A stand-in for docker, kind and kubectl, put first on PATH by fake-world.ts. It records each
// call in $FAKE_STATE/calls.ndjson and answers from $FAKE_STATE/state.json, a small model of a
// Docker engine, kind clusters and the objects of one namespace, so that the scripts can be
// run end to end with no Docker and no cluster (an apply starts the Deployments it renders, in the
// pipeline order $FAKE_SERVICES gives). The data volume is $FAKE_STATE/data: `kubectl exec … node`
// runs node there as the pod would, with the pod's DATA_DIR, and before each such look the data
// stages ($FAKE_PIPELINE) that have a ready pod move its batches on. `kubectl kustomize` goes to the real kubectl
// ($FAKE_REAL_KUBECTL): rendering is local and the scripts depend on its real output. Like kind
// and kubectl, it keeps $FAKE_STATE/.kube/config (the fake world's $HOME) in step with the
// contexts; what the API server answers is ../fake-api.ts's part.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isReady, matches, podLogs, podObject, writeKubeconfig } from './model.mjs';
import { parseAllDocuments } from 'yaml';

const dir = process.env.FAKE_STATE;
const [tool, ...args] = process.argv.slice(2);
const stdin = args.includes('-') || args.includes('--stdin') ? readFileSync(0, 'utf8') : undefined;
appendFileSync(path.join(dir, 'calls.ndjson'), JSON.stringify({ tool, args, stdin }) + '\n');

const file = path.join(dir, 'state.json');
const state = JSON.parse(readFileSync(file, 'utf8'));
const save = () => {
  writeFileSync(`${file}.${process.pid}`, JSON.stringify(state, null, 2));
  renameSync(`${file}.${process.pid}`, file);
  writeKubeconfig(dir, state);
};
const out = (text) => process.stdout.write(text ? `${text}\n` : '');
const fail = (message, code = 1) => {
  process.stderr.write(`${message}\n`);
  process.exit(code);
};
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/** Scaling replaces an app's pods: the old ones terminate until someone waits for them to go. */
function podsFor(app, replicas) {
  for (const p of state.pods) if (p.app === app) p.phase = 'Terminating';
  for (let i = 0; i < replicas; i++) state.pods.push({ name: `${app}-${state.podSeq++}`, app, phase: 'Running', created: new Date().toISOString() });
}

function selected(selector) {
  try {
    return state.pods.filter((p) => matches(selector, p));
  } catch (err) {
    fail(`fake kubectl: ${err.message}`);
  }
}

// A pod's container started when its `started` says, or else just now: resume waits for that.
const podJson = (p) => podObject(p, new Date().toISOString());

const DOCKER_DOWN = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';
const DOCKER_CLIENT = 'Client: Docker Engine - Community\n Version:           27.3.1\n API version:       1.47\n OS/Arch:           linux/amd64\n Context:           default';
const DOCKER_SERVER = 'Server: Docker Engine - Community\n Engine:\n  Version:          27.3.1\n  API version:      1.47 (minimum version 1.24)\n  OS/Arch:          linux/amd64';
// podman's version command: its template names Podman Engine, and with no server (local
// podman) a {{.Server.X}} format falls back to the client's field and succeeds.
const PODMAN_VERSION =
  'Client:       Podman Engine\nVersion:      5.2.2\nAPI Version:  5.2.2\nGo Version:   go1.22.7\nBuilt:        Tue Aug 27 00:00:00 2024\nOS/Arch:      linux/amd64';

function dockerVersion() {
  const format = flag('--format');
  if (state.docker === 'down') {
    if (!format) out(DOCKER_CLIENT);
    return fail(DOCKER_DOWN);
  }
  if (state.docker === 'podman') return out(format ? '5.2.2' : PODMAN_VERSION);
  return out(format ? '27.3.1' : `${DOCKER_CLIENT}\n\n${DOCKER_SERVER}`);
}

/** Podman keeps a build tagged name:tag as localhost/name:tag and finds it by either name. */
const localName = (ref) => (state.docker === 'podman' ? `localhost/${ref}` : ref);

/** `docker image inspect [--format F] ref`: the base images of state.bases answer F's {{.Id}} and {{len .RepoDigests}}. */
function inspect(ref, format) {
  const base = state.bases[ref];
  if (base) return out(format ? format.replace('{{.Id}}', base.id).replace('{{len .RepoDigests}}', String(base.digests)) : '[]');
  if (!state.images.includes(localName(ref))) return fail(`Error: No such image: ${ref}`);
  return out(format ? format.replace('{{.Id}}', `sha256:${createHash('sha256').update(ref).digest('hex')}`) : '[]');
}

function docker() {
  // The podman-docker shim says what it is on every call, unless /etc/containers/nodocker exists.
  if (state.docker === 'podman') process.stderr.write('Emulate Docker CLI using podman. Create /etc/containers/nodocker to quiet msg.\n');
  if (args[0] === 'version') return dockerVersion();
  if (state.docker === 'down') fail(DOCKER_DOWN);
  if (args[0] === 'image' && args[1] === 'inspect') return inspect(args.at(-1), flag('--format'));
  if (args[0] === 'build') {
    state.images.push(localName(flag('--tag')));
    save();
    return out('Successfully built');
  }
  if (args[0] === 'exec' && args.includes('ctr')) return out(state.nodeImages.join('\n'));
  if (args[0] === 'stop' || args[0] === 'start') return out(args.slice(1).join('\n'));
  fail(`fake docker: unsupported call ${args.join(' ')}`);
}

function kind() {
  const name = flag('--name');
  if (args[0] === 'version') return out('kind v0.25.0 go1.22.9 linux/amd64');
  if (args.join(' ') === 'get clusters') return state.clusters.length ? out(state.clusters.join('\n')) : process.stderr.write('No kind clusters found.\n');
  if (args[0] === 'get' && args[1] === 'nodes') return out(state.clusters.includes(name) ? `${name}-control-plane` : '');
  if (args[0] === 'create') {
    state.clusters.push(name);
    state.contexts.push(`kind-${name}`);
    state.currentContext = `kind-${name}`;
    return save();
  }
  if (args[0] === 'load') {
    for (const ref of args.slice(2).filter((a) => a.includes(':'))) state.nodeImages.push(`docker.io/${ref}`);
    return save();
  }
  if (args[0] === 'delete') {
    state.clusters = state.clusters.filter((c) => c !== name);
    state.contexts = state.contexts.filter((c) => c !== `kind-${name}`);
    return save();
  }
  fail(`fake kind: unsupported call ${args.join(' ')}`);
}

const readyPods = (app) => state.pods.filter((p) => p.app === app && isReady(p));

/** A Deployment as the API serves it: ready replicas are its pods that are ready. */
const deploymentObject = (name) => ({ metadata: { name }, spec: { replicas: state.deployments[name] }, status: { readyReplicas: readyPods(name).length } });

/**
 * The data stages at work between two looks at the volume: each that has a ready pod moves every
 * batch of its input folder one stage on, writing its output before deleting its input; the sink
 * writes a receipt per line, answered by the api's ready pods in turn, and the batch's summary.
 * Later stages go first, so a batch moves one stage per look.
 */
function stagesWork(data) {
  const { api, stages } = JSON.parse(process.env.FAKE_PIPELINE);
  const answering = readyPods(api).map((p) => p.name);
  for (const s of [...stages].reverse()) {
    if (readyPods(s.name).length === 0) continue;
    for (const name of readdirSync(path.join(data, s.input.dir)).filter((n) => n.endsWith(s.input.ext) && !n.startsWith('.'))) {
      const batch = name.slice(0, -s.input.ext.length);
      const input = path.join(data, s.input.dir, name);
      const lines = readFileSync(input, 'utf8').split('\n').filter(Boolean);
      if (s.ledger) {
        const receipts = lines.map((_, i) => ({ pos: i + 1, line: i + 1, outcome: 'ok', status: 200, pod: answering[i % answering.length], at: Date.now() }));
        const pods = {};
        for (const r of receipts) pods[r.pod] = (pods[r.pod] ?? 0) + 1;
        writeFileSync(path.join(data, s.ledger.dir, `${batch}${s.ledger.ext}`), receipts.map((r) => `${JSON.stringify(r)}\n`).join(''));
        const summary = { batch, lines: lines.length, ok: lines.length, rejected: 0, invalid: 0, skipped: 0, pods, mode: 'single' };
        writeFileSync(path.join(data, s.output.dir, `${batch}${s.output.ext}`), JSON.stringify(summary));
      } else {
        writeFileSync(path.join(data, s.output.dir, `${batch}${s.output.ext}`), lines.map((l) => `${l}\n`).join(''));
      }
      unlinkSync(input);
    }
  }
}

/** `kubectl exec pod/<name> --container c -- node -e script args`: the script runs on the fake volume, as in the pod. */
function execNode(command) {
  const target = args.find((a) => a.startsWith('pod/'))?.slice('pod/'.length);
  const pod = state.pods.find((p) => p.name === target);
  if (!pod) fail(`Error from server (NotFound): pods "${target}" not found`);
  if (!isReady(pod)) fail(`error: unable to upgrade connection: container not found ("${pod.app}")`);
  const data = path.join(dir, 'data');
  stagesWork(data);
  const run = spawnSync(process.execPath, command.slice(1), { input: stdin, env: { ...process.env, DATA_DIR: data }, encoding: 'utf8' });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  process.exit(run.status ?? 1);
}

/** `kubectl logs pod/<name> --tail=N [--previous]`: the pod's log lines; a previous run only after a restart. */
function logs() {
  const target = args.find((a) => a.startsWith('pod/'))?.slice('pod/'.length);
  const pod = state.pods.find((p) => p.name === target);
  if (!pod) fail(`error: error from server (NotFound): pods "${target}" not found in namespace "${flag('--namespace')}"`);
  if (args.includes('--previous') && !(pod.restarts > 0)) fail(`Error from server (BadRequest): previous terminated container "${pod.app}" in pod "${pod.name}" not found`);
  const tail = Number(args.find((a) => a.startsWith('--tail='))?.slice('--tail='.length) ?? -1);
  const lines = podLogs(pod);
  out((tail >= 0 ? lines.slice(-tail) : lines).join('\n'));
}

/** What `kubectl apply` was given, as a key: the same input gives the same key. */
function inputKey() {
  const source = flag('--kustomize') ? readFileSync(path.join(flag('--kustomize'), 'kustomization.yaml'), 'utf8') : stdin;
  return { source, key: createHash('sha256').update(source).digest('hex') };
}

/** The kustomization `kubectl apply --kustomize` was given, as the real kubectl renders it. */
const renderKustomization = () => execFileSync(process.env.FAKE_REAL_KUBECTL, ['kustomize', flag('--kustomize')], { encoding: 'utf8' });

/** The Deployments of a render and their replicas, in pipeline order ($FAKE_SERVICES): what an apply makes run. */
function deploymentsOf(text) {
  const order = process.env.FAKE_SERVICES.split(',');
  const objects = parseAllDocuments(text)
    .map((d) => d.toJS())
    .filter((o) => o?.kind === 'Deployment')
    .sort((a, b) => order.indexOf(a.metadata.name) - order.indexOf(b.metadata.name));
  return Object.fromEntries(objects.map((o) => [o.metadata.name, o.spec?.replicas ?? 1]));
}

/**
 * kubectl refuses, before it sends anything, an object whose own namespace is not the one
 * --namespace names; a cluster-scoped object has none and passes. The message is kubectl's.
 */
function refuseOtherNamespaces(rendered) {
  const asked = flag('--namespace') ?? 'default';
  const other = [...rendered.matchAll(/^ {2}namespace: (\S+)$/gm)].map((m) => m[1]).find((ns) => ns !== asked);
  if (other)
    fail(`error: the namespace from the provided object "${other}" does not match the namespace "${asked}". You must pass '--namespace=${other}' to perform this operation.`);
}

/** `kubectl apply`: created the first time, unchanged when the same input comes again. */
function apply() {
  const render = flag('--kustomize') ? renderKustomization() : undefined;
  if (render) refuseOtherNamespaces(render);
  const { source, key } = inputKey();
  const verb = state.applied.includes(key) ? 'unchanged' : 'created';
  state.applied.push(key);
  if (flag('--kustomize')?.endsWith('local-path-storage')) {
    state.storageClasses.push('local-path');
    return (save(), out(`deployment.apps/local-path-provisioner ${verb}\nstorageclass.storage.k8s.io/local-path ${verb}`));
  }
  if (flag('--kustomize')) {
    if (verb === 'created') {
      state.namespace = true;
      state.pvc = true;
      state.cronjobs = { getdata: { suspend: false } };
      state.deployments = deploymentsOf(render);
      for (const [app, n] of Object.entries(state.deployments)) podsFor(app, n);
    }
    return (save(), out(['namespace/k8s-pipe', 'deployment.apps/api', 'cronjob.batch/getdata'].map((o) => `${o} ${verb}`).join('\n')));
  }
  const objectKind = source.match(/"?kind"?\s*:\s*"?(\w+)/)?.[1] ?? 'unknown';
  if (objectKind === 'StorageClass') state.storageClasses.push('local-path');
  if (objectKind === 'PersistentVolumeClaim') state.pvc = true;
  save();
  out(`${objectKind.toLowerCase()}/applied ${verb}`);
}

function kubectl() {
  const context = flag('--context');
  const [verb, ...more] = args.slice(args.indexOf('--namespace') + 2);
  if (verb === 'kustomize') return out(execFileSync(process.env.FAKE_REAL_KUBECTL, args, { encoding: 'utf8' }).trimEnd());
  if (verb === 'version') return out(JSON.stringify({ clientVersion: { gitVersion: 'v1.31.0' } }));
  if (verb === 'config') {
    if (more[0] === 'get-contexts') return out(state.contexts.join('\n'));
    if (more[0] === 'current-context') return state.currentContext ? out(state.currentContext) : fail('error: current-context is not set');
    if (more[0] === 'use-context') {
      state.currentContext = more[1];
      return save();
    }
  }
  if (!state.contexts.includes(context)) fail(`error: context "${context}" does not exist`);
  const json = flag('--output') === 'json';
  const name = flag('--output') === 'name';
  if (verb === 'wait') {
    const objects = more.filter((a) => !a.startsWith('--'));
    if (more.includes('--for=delete')) state.pods = state.pods.filter((p) => !objects.includes(`pod/${p.name}`));
    save();
    return out(objects.map((o) => `${o} condition met`).join('\n'));
  }
  if (verb === 'rollout') return state.rolloutFails ? fail('error: timed out waiting for the condition') : out(`${more[1]} successfully rolled out`);
  if (verb === 'apply') return apply();
  if (verb === 'diff') return state.applied.includes(inputKey().key) ? undefined : fail('+ kind: Deployment', 1);
  if (verb === 'get') {
    const [what, which] = more;
    if (what === 'storageclass')
      return state.storageClasses.includes(which) ? out(which) : fail(`Error from server (NotFound): storageclasses.storage.k8s.io "${which}" not found`);
    if (what === 'deployment' && which === 'local-path-provisioner') return state.kindStorage ? out(which) : fail('Error from server (NotFound)');
    if (what === 'namespace') return state.namespace ? out(which) : fail(`Error from server (NotFound): namespaces "${which}" not found`);
    if (what === 'deployment' && which in state.deployments) return out(JSON.stringify(deploymentObject(which)));
    if (what === 'deployment') return fail(`Error from server (NotFound): deployments.apps "${which}" not found`);
    if (what === 'deployments') {
      const items = Object.keys(state.deployments).map(deploymentObject);
      return out(json ? JSON.stringify({ items }) : items.map((d) => `deployment.apps/${d.metadata.name}`).join('\n'));
    }
    if (what === 'cronjobs') {
      const items = Object.entries(state.cronjobs).map(([n, c]) => ({ metadata: { name: n }, spec: { schedule: '*/1 * * * *', suspend: c.suspend }, status: {} }));
      return out(JSON.stringify({ items }));
    }
    if (what === 'pods') {
      const pods = selected(flag('--selector'));
      if (json) return out(JSON.stringify({ items: pods.map(podJson) }));
      return out(pods.map((p) => (name ? `pod/${p.name}` : `${p.name} 1/1 Running`)).join('\n'));
    }
    if (what === '--raw') return out(JSON.stringify({ pod: 'api-1', documents: { accepted: 0 } }));
    return out(`${what} listed`);
  }
  if (verb === 'patch') {
    state.cronjobs[more[1]] = JSON.parse(flag('--patch')).spec;
    return save();
  }
  if (verb === 'scale') {
    const replicas = Number(flag('--replicas'));
    for (const app of more.slice(1).filter((a) => !a.startsWith('--') && a !== String(replicas))) {
      state.deployments[app] = replicas;
      podsFor(app, replicas);
    }
    return save();
  }
  if (verb === 'delete') {
    if (more[0] === 'jobs') for (const p of selected(flag('--selector'))) p.phase = 'Terminating';
    if (more[0] === 'persistentvolumeclaim') state.pvc = false;
    return save();
  }
  if (verb === 'exec') {
    const command = args.slice(args.indexOf('--', args.indexOf(verb)) + 1);
    return command[0] === 'node' ? execNode(command) : out('/data/done 120\n/data/receipts 4096');
  }
  if (verb === 'logs') return logs();
  fail(`fake kubectl: unsupported call ${args.join(' ')}`);
}

({ docker, kind, kubectl })[tool]();
