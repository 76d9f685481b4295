// Preflight: the tools the scripts drive, their versions, and what to do when one is missing.
import { which } from 'zx';
import { kind as settings } from './config.ts';
import { $ } from './shell.ts';
import { DockerDownError, ToolMissingError, UnsupportedEngineError } from './errors.ts';
import { kubectl } from './kube.ts';

export type Tool = 'docker' | 'kind' | 'kubectl';

// The kind release the offline node image (hack/airgap) is built for.
const KIND_VERSION = 'v0.25.0';

// Why the scripts need Docker itself, for the refusals below.
const WHY_DOCKER =
  'deploy loads the images into the node with `kind load docker-image`, which runs `docker save`, and Podman names ' +
  'local builds localhost/<name>, which the manifests do not name; pause and resume drive the node containers with docker';
const USE_DOCKER = 'use Docker: Docker Engine on Linux, Docker Desktop on macOS or Windows';

const install: Record<Tool, string> = {
  docker: 'install Docker Engine or Docker Desktop: https://docs.docker.com/get-docker/',
  kind: `go install sigs.k8s.io/kind@${KIND_VERSION}, or a release binary: https://kind.sigs.k8s.io/docs/user/quick-start/#installation`,
  kubectl: 'install kubectl: https://kubernetes.io/docs/tasks/tools/',
};

const version: Record<Tool, () => Promise<string>> = {
  async docker() {
    // Podman's docker (the podman-docker shim, or the docker CLI on Podman's socket) names itself
    // only here: asked for {{.Server.Version}}, podman falls back to its own version and succeeds.
    const about = await $({ nothrow: true, timeout: '20s' })`docker version`;
    if (/\bPodman\b/.test(about.stdout)) {
      throw new UnsupportedEngineError(
        `docker on PATH is Podman (\`docker version\` names Podman Engine), which these scripts cannot drive: ${WHY_DOCKER}`,
        `${USE_DOCKER}, and make its docker the one on PATH (on Linux, remove the podman-docker package)`,
      );
    }
    const out = await $({ nothrow: true, timeout: '20s' })`docker version --format ${'{{.Server.Version}}'}`;
    if (out.exitCode !== 0) {
      const why = out.stderr.trim().split('\n').find(Boolean) ?? `exit code ${out.exitCode}`;
      throw new DockerDownError(`the Docker engine does not answer (${why})`, 'start Docker (Docker Desktop, or `sudo systemctl start docker`), then run this again');
    }
    return out.stdout.trim();
  },
  async kind() {
    // "kind v0.25.0 go1.22.9 linux/amd64"
    return (await $({ timeout: '20s' })`kind version`).stdout.split(' ')[1] ?? 'unknown';
  },
  async kubectl() {
    const out = await kubectl(['version', '--client', '--output', 'json']);
    return (JSON.parse(out.stdout) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion;
  },
};

/** Checks each tool in turn; resolves with "docker 27.1.1, kind v0.25.0, ..." for the status line. */
export async function preflight(tools: Tool[]): Promise<string> {
  if (tools.includes('docker') && settings.provider !== undefined && settings.provider !== 'docker') {
    throw new UnsupportedEngineError(
      `KIND_EXPERIMENTAL_PROVIDER=${settings.provider}: these scripts work with kind's docker provider only: ${WHY_DOCKER}`,
      `unset KIND_EXPERIMENTAL_PROVIDER and ${USE_DOCKER}`,
    );
  }
  const found: string[] = [];
  for (const tool of tools) {
    if (!(await which(tool, { nothrow: true }))) throw new ToolMissingError(`${tool} is not installed (not on PATH)`, install[tool]);
    found.push(`${tool} ${await version[tool]()}`);
  }
  return found.join(', ');
}
