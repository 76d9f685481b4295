// Runs the zx scripts against fakes/fake-tool.mjs as docker, kind and kubectl, and against
// fake-api.ts as the cluster's API server: a throw-away copy of the project (scripts, manifests,
// kind-config, Dockerfile, services/lib with the pipeline definition, a one-line stub main.ts per
// service), a PATH holding only the fakes, bash and node, a $HOME whose .kube/config names
// the contexts, and a data/ folder that stands for the volume. The fakes' state says what
// the world is like ("cluster exists", "docker down"); leaving a fake out makes that tool missing.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { SERVICES } from '../lib/images.ts';
import { STAGE_DIRS } from '../../services/lib/layout.ts';
import { API, DATA_STAGES, stageOf } from '../../services/lib/pipeline.ts';
import { root } from '../lib/paths.ts';
import { FakeApiServer } from './fake-api.ts';
import { writeKubeconfig } from './fakes/model.mjs';

export type Tool = 'docker' | 'kind' | 'kubectl';

export interface FakePod {
  name: string;
  app: string;
  /** Running, Pending, Terminating, Succeeded or Failed. */
  phase: string;
  created: string;
  /** When the pod's container last started (default: now for kubectl, `created` for the API). */
  started?: string;
  /** How often its container restarted: each run is a new log. */
  restarts?: number;
  /** Its container's log lines (default: model.mjs's podLogs); append to make a running pod log more. */
  logs?: string[];
  /** Why its container waits to be restarted (CrashLoopBackOff): it is not ready and does no work. */
  waiting?: string;
}

export interface State {
  /** `podman`: docker on PATH is Podman's Docker emulation (the podman-docker shim). */
  docker: 'up' | 'down' | 'podman';
  clusters: string[];
  contexts: string[];
  currentContext?: string;
  images: string[];
  /** Base images the engine holds, by reference: their image ID, and how many registry digests they came by (0: built or imported here). */
  bases: Record<string, { id: string; digests: number }>;
  nodeImages: string[];
  /** kind's own local-path-provisioner runs in the cluster. */
  kindStorage: boolean;
  storageClasses: string[];
  applied: string[];
  namespace: boolean;
  pvc: boolean;
  deployments: Record<string, number>;
  cronjobs: Record<string, { suspend: boolean }>;
  pods: FakePod[];
  podSeq: number;
  rolloutFails: boolean;
  /** Where fake-api.ts listens; the kubeconfig's clusters point there. */
  apiServer?: string;
}

export interface Call {
  tool: Tool;
  args: string[];
  stdin?: string;
}

export interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A script started with start(): what it printed so far, and stop(). */
export interface Started {
  child: ResultPromise;
  stdout(): string;
  stderr(): string;
  stop(signal?: NodeJS.Signals): Promise<Run>;
}

const FAKE = path.join(root, 'scripts', 'test', 'fakes', 'fake-tool.mjs');
const TSX = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
// Found before PATH is narrowed: kubectl kustomize is delegated to the real binary, and util-linux
// `script` gives a run a pseudo-terminal.
const which = (tool: string) => execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
const REAL_KUBECTL = which('kubectl');
const SCRIPT = which('script');
const BASH = which('bash');
// What the fake kubectl's data stages read and write, from the pipeline definition.
const PIPELINE = JSON.stringify({ api: API.name, stages: DATA_STAGES.map(stageOf) });

export const initialState: State = {
  docker: 'up',
  clusters: [],
  contexts: ['prod'],
  currentContext: 'prod',
  images: [],
  bases: {},
  nodeImages: [],
  kindStorage: true,
  storageClasses: ['standard'],
  applied: [],
  namespace: false,
  pvc: false,
  deployments: {},
  cronjobs: {},
  pods: [],
  podSeq: 1,
  rolloutFails: false,
};

export class FakeWorld {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'k8s-pipe-fake-'));
  private readonly repo = path.join(this.dir, 'repo');
  private readonly bin = path.join(this.dir, 'bin');
  readonly api = new FakeApiServer(path.join(this.dir, 'state.json'));
  private removed = false;
  /** Resolves once the API server listens and the kubeconfig points at it. */
  private readonly ready = this.api.url.then((apiServer) => this.removed || this.setState({ apiServer }));

  constructor(state: Partial<State> = {}, tools: Tool[] = ['docker', 'kind', 'kubectl']) {
    mkdirSync(this.bin);
    for (const tool of tools) {
      writeFileSync(path.join(this.bin, tool), `#!/bin/sh\nexec "${process.execPath}" "${FAKE}" ${tool} "$@"\n`, { mode: 0o755 });
    }
    symlinkSync(BASH, path.join(this.bin, 'bash'));
    for (const part of ['scripts', 'manifests', 'kind-config.yaml', 'package.json', 'services/Dockerfile', 'services/lib', '.dockerignore']) {
      cpSync(path.join(root, part), path.join(this.repo, part), { recursive: true });
    }
    symlinkSync(path.join(root, 'node_modules'), path.join(this.repo, 'node_modules'));
    for (const service of SERVICES) {
      mkdirSync(path.join(this.repo, 'services', service, 'src'), { recursive: true });
      writeFileSync(path.join(this.repo, 'services', service, 'src', 'main.ts'), `console.log('${service} stub');\n`);
    }
    for (const d of STAGE_DIRS) mkdirSync(path.join(this.dir, 'data', d), { recursive: true });
    writeFileSync(path.join(this.dir, 'state.json'), JSON.stringify({ ...initialState, ...state }));
    writeFileSync(path.join(this.dir, 'calls.ndjson'), '');
  }

  /** Runs `tsx scripts/<script>.ts` in the copy, with only the fakes on PATH; `input` is its standard input. */
  async run(script: string, args: string[] = [], env: Record<string, string> = {}, input?: string): Promise<Run> {
    await this.ready;
    const result = await execa(process.execPath, this.command(script, args), { ...this.options(env), timeout: 60_000, ...(input === undefined ? {} : { stdin: 'pipe', input }) });
    return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  /** As run(), on a pseudo-terminal: stdout and stderr are one TTY, so `output` holds both, as a person would see them. */
  async runInTerminal(script: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ exitCode: number; output: string }> {
    await this.ready;
    const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
    const line = [process.execPath, ...this.command(script, args)].map(quote).join(' ');
    const result = await execa(SCRIPT, ['--quiet', '--return', '--command', line, '/dev/null'], { ...this.options({ SHELL: BASH, ...env }), timeout: 60_000 });
    return { exitCode: result.exitCode ?? -1, output: result.stdout };
  }

  /** Deploys the pipeline, without its canary, insists it worked, and forgets its calls: the start of most tests. */
  async deploy(): Promise<void> {
    const run = await this.run('deploy', ['--no-canary']);
    if (run.exitCode !== 0) throw new Error(`deploy failed in the fake world:\n${run.stdout}\n${run.stderr}`);
    this.clearCalls();
  }

  /** Starts a script that runs until stopped (logs), with no time limit; stop() sends it a signal and waits for it. */
  async start(script: string, args: string[] = [], env: Record<string, string> = {}): Promise<Started> {
    await this.ready;
    const child = execa(process.execPath, this.command(script, args), this.options(env));
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return {
      child,
      stdout: () => stdout,
      stderr: () => stderr,
      async stop(signal: NodeJS.Signals = 'SIGINT') {
        child.kill(signal);
        const result = await child;
        return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
      },
    };
  }

  private command(script: string, args: string[]): string[] {
    return [TSX, path.join(this.repo, 'scripts', `${script}.ts`), ...args];
  }

  private options(env: Record<string, string>) {
    return {
      cwd: this.repo,
      env: {
        PATH: this.bin,
        HOME: this.dir,
        FAKE_STATE: this.dir,
        FAKE_REAL_KUBECTL: REAL_KUBECTL,
        FAKE_SERVICES: SERVICES.join(','),
        FAKE_PIPELINE: PIPELINE,
        FORCE_COLOR: '0',
        TZ: 'UTC',
        ...env,
      },
      extendEnv: false,
      reject: false,
      stdin: 'ignore' as const,
    };
  }

  calls(tool?: Tool): Call[] {
    const all = readFileSync(path.join(this.dir, 'calls.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Call);
    return tool ? all.filter((c) => c.tool === tool) : all;
  }

  /** Forgets the calls so far, to look at one run alone. */
  private clearCalls(): void {
    writeFileSync(path.join(this.dir, 'calls.ndjson'), '');
  }

  state(): State {
    return JSON.parse(readFileSync(path.join(this.dir, 'state.json'), 'utf8')) as State;
  }

  /** Changes the world; the kubeconfig follows its contexts, as kind and kubectl keep it. */
  setState(patch: Partial<State>): void {
    const state = { ...this.state(), ...patch };
    writeFileSync(path.join(this.dir, 'state.json'), JSON.stringify(state));
    if (state.apiServer) writeKubeconfig(this.dir, state);
  }

  remove(): void {
    this.removed = true;
    this.api.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** "kubectl get pods" for a call, without the pinned --context/--namespace prefix. */
export const command = (c: Call) => [c.tool, ...(c.tool === 'kubectl' ? c.args.slice(4) : c.args)].join(' ');
