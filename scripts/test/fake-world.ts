// Runs the zx scripts against fakes/fake-tool.mjs as docker, kind and kubectl: a throw-away
// copy of the project (scripts, manifests, kind-config, Dockerfile, services/lib with the pipeline
// definition, a one-line stub main.ts per service), and a PATH holding only the fakes, bash and node. The fakes' state says what
// the world is like ("cluster exists", "docker down"); leaving a fake out makes that tool missing.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { SERVICES } from '../lib/images.ts';
import { root } from '../lib/paths.ts';

export type Tool = 'docker' | 'kind' | 'kubectl';

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
  /** `started`: when the pod's container last started (default: now). */
  pods: { name: string; app: string; phase: string; created: string; started?: string }[];
  podSeq: number;
  rolloutFails: boolean;
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

const FAKE = path.join(root, 'scripts', 'test', 'fakes', 'fake-tool.mjs');
const TSX = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
// Found before PATH is narrowed: kubectl kustomize is delegated to the real binary, and util-linux
// `script` gives a run a pseudo-terminal.
const which = (tool: string) => execFileSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
const REAL_KUBECTL = which('kubectl');
const SCRIPT = which('script');
const BASH = which('bash');

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
    writeFileSync(path.join(this.dir, 'state.json'), JSON.stringify({ ...initialState, ...state }));
    writeFileSync(path.join(this.dir, 'calls.ndjson'), '');
  }

  /** Runs `tsx scripts/<script>.ts` in the copy, with only the fakes on PATH; `input` is its standard input. */
  async run(script: string, args: string[] = [], env: Record<string, string> = {}, input?: string): Promise<Run> {
    const result = await execa(process.execPath, this.command(script, args), { ...this.options(env), timeout: 60_000, ...(input === undefined ? {} : { stdin: 'pipe', input }) });
    return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  /** As run(), on a pseudo-terminal: stdout and stderr are one TTY, so `output` holds both, as a person would see them. */
  async runInTerminal(script: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ exitCode: number; output: string }> {
    const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;
    const line = [process.execPath, ...this.command(script, args)].map(quote).join(' ');
    const result = await execa(SCRIPT, ['--quiet', '--return', '--command', line, '/dev/null'], { ...this.options({ SHELL: BASH, ...env }), timeout: 60_000 });
    return { exitCode: result.exitCode ?? -1, output: result.stdout };
  }

  /** Deploys the pipeline, insists it worked, and forgets its calls: the start of most tests. */
  async deploy(): Promise<void> {
    const run = await this.run('deploy');
    if (run.exitCode !== 0) throw new Error(`deploy failed in the fake world:\n${run.stdout}\n${run.stderr}`);
    this.clearCalls();
  }

  /** Starts a script that runs until stopped (logs), with no time limit. */
  spawn(script: string, args: string[] = [], env: Record<string, string> = {}) {
    return execa(process.execPath, this.command(script, args), this.options(env));
  }

  private command(script: string, args: string[]): string[] {
    return [TSX, path.join(this.repo, 'scripts', `${script}.ts`), ...args];
  }

  private options(env: Record<string, string>) {
    return {
      cwd: this.repo,
      env: { PATH: this.bin, HOME: this.dir, FAKE_STATE: this.dir, FAKE_REAL_KUBECTL: REAL_KUBECTL, FAKE_SERVICES: SERVICES.join(','), FORCE_COLOR: '0', ...env },
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

  setState(patch: Partial<State>): void {
    writeFileSync(path.join(this.dir, 'state.json'), JSON.stringify({ ...this.state(), ...patch }));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** "kubectl get pods" for a call, without the pinned --context/--namespace prefix. */
export const command = (c: Call) => [c.tool, ...(c.tool === 'kubectl' ? c.args.slice(4) : c.args)].join(' ');
