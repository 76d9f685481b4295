// kubectl, pinned to the kind cluster's context on every call: whatever context is current, no
// script acts on another cluster. The API client, for the few scripts that stream, is in
// kube-client.ts.
import type { ProcessOutput, ProcessPromise } from 'zx';
import { $ } from './shell.ts';
import { kind } from './config.ts';
import { NoClusterError } from './errors.ts';
import { waitUntil } from './wait.ts';

export interface KubectlOptions {
  /** Defaults to the pipeline's namespace; cluster-scoped calls ignore it. */
  namespace?: string;
  input?: string;
  nothrow?: boolean;
  /** For a call that waits: passed as --timeout, and the process is killed a little later. */
  waitSeconds?: number;
  /** A stream that runs until stopped (logs --follow): no time limit. */
  stream?: boolean;
}

export function kubectl(args: string[], o: KubectlOptions = {}): ProcessPromise {
  const wait = o.waitSeconds === undefined ? [] : [`--timeout=${o.waitSeconds}s`];
  return $({
    input: o.input,
    nothrow: o.nothrow,
    timeout: o.stream ? undefined : `${(o.waitSeconds ?? 45) + 15}s`,
  })`kubectl --context ${kind.context} --namespace ${o.namespace ?? kind.namespace} ${args} ${wait}`;
}

/**
 * A kubectl call that waits (wait, rollout status), limited to WAIT_SECONDS in all. An API server
 * still starting (refused, or Forbidden before its RBAC is loaded) is asked again until then.
 * When it does not succeed, `failure` says what was not reached ("nodes not Ready") and `hint`
 * where to look.
 */
export async function kubectlWait(args: string[], failure: string, hint: string, o: KubectlOptions = {}): Promise<ProcessOutput> {
  const seconds = o.waitSeconds ?? kind.waitSeconds;
  const deadline = Date.now() + seconds * 1000;
  let done: ProcessOutput | undefined;
  await waitUntil(
    async () => {
      const left = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
      const out = await kubectl(args, { ...o, waitSeconds: left, nothrow: true });
      if (out.exitCode === 0) done = out;
      return done ? undefined : out.stderr.trim() || `exit code ${out.exitCode}`;
    },
    failure,
    hint,
    seconds,
  );
  return done!;
}

/** kubectl's output as JSON. */
export async function kubectlJson<T>(args: string[], o: KubectlOptions = {}): Promise<T> {
  return JSON.parse((await kubectl([...args, '--output', 'json'], o)).stdout) as T;
}

export const noContext = () =>
  new NoClusterError(
    `the kubeconfig has no context ${kind.context}`,
    `create the cluster with \`npm run deploy\`, or restore its context with \`kind export kubeconfig --name ${kind.cluster}\``,
  );

/** Fails unless the kubeconfig has the cluster's context, before anything talks to a cluster. */
export async function requireContext(): Promise<void> {
  const contexts = (await kubectl(['config', 'get-contexts', '--output', 'name'])).lines();
  if (!contexts.includes(kind.context)) throw noContext();
}
