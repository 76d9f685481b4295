// A small Kubernetes API server for the script tests, serving the pods of a fake world's
// state.json (which the fake kubectl changes and tests edit) the way the real one serves them:
//   GET /api/v1/namespaces/<ns>/pods              a PodList with the current resourceVersion
//   GET …/pods?watch=true&resourceVersion=<rv>    a chunked stream of JSON event lines, one per
//       change after <rv> (each change bumps the version), open until timeoutSeconds or
//       endWatches(); after compact(), a watch from an older version gets one ERROR event with
//       a 410 Status and ends, as etcd's compaction makes the real one do
//   GET …/pods/<pod>/log?container=&follow=&tailLines=   text/plain; with follow=true it stays
//       open, sending lines as the test appends them, until the container ends; a container
//       still waiting to start is refused with 400, an unknown pod with 404
// Every request is recorded with the context it came through: the kubeconfig (model.mjs) sends
// kind-k8s-pipe to the root and any other context under /<context>/, which is answered 403.
// Each context has its own bearer token; a request without the right one is answered 401.
// Not modelled: sinceSeconds and sinceTime (recorded, not applied: the fake lines have no
// times), bookmarks, and any resource but pods.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KIND_CONTEXT, NAMESPACE, matches, podLogs, podObject } from './fakes/model.mjs';
import type { FakePod, State } from './fake-world.ts';

export interface ApiRequest {
  context: string;
  path: string;
  query: Record<string, string>;
}

interface Event {
  version: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  pod: FakePod;
}

/** An open watch or log stream: told on every tick to send what is new. */
interface Stream {
  watch: boolean;
  tick(): void;
  end(): void;
}

const TICK_MS = 50;

const status = (code: number, reason: string, message: string) => ({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

export class FakeApiServer {
  readonly requests: ApiRequest[] = [];
  /** The server's address, once it listens. */
  readonly url: Promise<string>;
  private readonly server = http.createServer((req, res) => this.handle(req, res));
  private readonly sockets = new Set<Socket>();
  private readonly streams = new Set<Stream>();
  private readonly events: Event[] = [];
  /** Each pod as last seen, and its object as JSON, to tell what changed. */
  private readonly seen = new Map<string, { pod: FakePod; json: string }>();
  /** The pods as of the last look at state.json. */
  private latest: FakePod[] = [];
  private version = 1;
  /** Watches from before this version are answered 410 Gone. */
  private oldest = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly statePath: string) {
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.url = new Promise((resolve) => {
      this.server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}`));
    });
  }

  /** Moves on a version and forgets every one before: a watch resumed from one of them is told 410 Gone. */
  compact(): void {
    this.sync();
    this.oldest = ++this.version;
  }

  /** Ends every open watch normally, as the server does when a watch's time is up. */
  endWatches(): void {
    for (const s of this.streams) if (s.watch) s.end();
  }

  /** Stops listening and drops every connection, as an API server that goes away does. */
  close(): void {
    clearInterval(this.timer);
    if (this.server.listening) this.server.close();
    for (const socket of this.sockets) socket.destroy();
  }

  /** Turns what changed in state.json since the last look into events, each with a new version. */
  private sync(): FakePod[] {
    const pods = (JSON.parse(readFileSync(this.statePath, 'utf8')) as State).pods;
    const now = new Set(pods.map((p) => p.name));
    for (const pod of pods) {
      const json = JSON.stringify(podObject(pod, pod.created));
      const before = this.seen.get(pod.name);
      if (before?.json === json) continue;
      this.seen.set(pod.name, { pod, json });
      this.events.push({ version: ++this.version, type: before === undefined ? 'ADDED' : 'MODIFIED', pod });
    }
    for (const [name, { pod }] of [...this.seen].filter(([n]) => !now.has(n))) {
      this.seen.delete(name);
      this.events.push({ version: ++this.version, type: 'DELETED', pod });
    }
    this.latest = pods;
    return pods;
  }

  private object(p: FakePod, version: number) {
    const o = podObject(p, p.created);
    return { ...o, metadata: { ...o.metadata, resourceVersion: String(version) } };
  }

  private open(stream: Stream): void {
    this.streams.add(stream);
    this.timer ??= setInterval(() => {
      this.sync();
      for (const s of this.streams) s.tick();
    }, TICK_MS);
  }

  private shut(stream: Stream): void {
    this.streams.delete(stream);
    if (this.streams.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const [, prefix = ''] = /^\/([^/]+)\/api\//.exec(url.pathname) ?? [];
    const context = prefix || KIND_CONTEXT;
    const route = prefix ? url.pathname.slice(prefix.length + 1) : url.pathname;
    this.requests.push({ context, path: route, query: Object.fromEntries(url.searchParams) });
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${context}-token`) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    if (context !== KIND_CONTEXT) return send(403, status(403, 'Forbidden', `this fake serves ${KIND_CONTEXT} only`));
    const pods = new RegExp(`^/api/v1/namespaces/${NAMESPACE}/pods$`).exec(route);
    const log = new RegExp(`^/api/v1/namespaces/${NAMESPACE}/pods/([^/]+)/log$`).exec(route);
    if (pods && url.searchParams.get('watch') === 'true') return this.watch(url.searchParams, res);
    if (pods) {
      const items = this.sync().filter((p) => matches(url.searchParams.get('labelSelector') ?? undefined, p));
      return send(200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: String(this.version) }, items: items.map((p) => this.object(p, this.version)) });
    }
    if (log) return this.log(decodeURIComponent(log[1]!), url.searchParams, res, send);
    send(404, status(404, 'NotFound', `the fake API server does not serve ${route}`));
  }

  private watch(query: URLSearchParams, res: http.ServerResponse): void {
    const selector = query.get('labelSelector') ?? undefined;
    const from = Number(query.get('resourceVersion') || 0);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const line = (o: unknown) => res.write(`${JSON.stringify(o)}\n`);
    this.sync();
    if (from > 0 && from < this.oldest) {
      line({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${from} (${this.oldest})`) });
      res.end();
      return;
    }
    let sent = from;
    // Without a version the server starts with the objects as they are now, each ADDED.
    if (from === 0) {
      for (const p of this.latest.filter((p) => matches(selector, p))) line({ type: 'ADDED', object: this.object(p, this.version) });
      sent = this.version;
    }
    const stream: Stream = {
      watch: true,
      tick: () => {
        for (const e of this.events.filter((e) => e.version > sent && matches(selector, e.pod))) line({ type: e.type, object: this.object(e.pod, e.version) });
        sent = this.version;
      },
      end: () => res.end(),
    };
    stream.tick();
    this.open(stream);
    const timeout = Number(query.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => stream.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      clearTimeout(timer);
      this.shut(stream);
    });
  }

  private log(name: string, query: URLSearchParams, res: http.ServerResponse, send: (code: number, body: unknown) => void): void {
    const pod = this.sync().find((p) => p.name === name);
    if (!pod) return send(404, status(404, 'NotFound', `pods "${name}" not found`));
    const container = query.get('container') ?? pod.app;
    if (container !== pod.app) return send(400, status(400, 'BadRequest', `container ${container} is not valid for pod ${name}`));
    if (pod.phase === 'Pending') return send(400, status(400, 'BadRequest', `container "${container}" in pod "${name}" is waiting to start: ContainerCreating`));
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    const lines = podLogs(pod);
    const tail = query.get('tailLines');
    for (const l of tail === null ? lines : lines.slice(-Number(tail))) res.write(`${l}\n`);
    const running = (p: FakePod | undefined) => p !== undefined && (p.phase === 'Running' || p.phase === 'Terminating') && (p.restarts ?? 0) === (pod.restarts ?? 0);
    if (query.get('follow') !== 'true' || !running(pod)) return void res.end();
    let sent = lines.length;
    const stream: Stream = {
      watch: false,
      tick: () => {
        const now = this.latest.find((p) => p.name === name);
        const more = now ? podLogs(now) : [];
        for (const l of more.slice(sent)) res.write(`${l}\n`);
        sent = Math.max(sent, more.length);
        if (!running(now)) stream.end();
      },
      end: () => res.end(),
    };
    this.open(stream);
    res.on('close', () => this.shut(stream));
  }
}
