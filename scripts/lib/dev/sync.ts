// Delivers bundles into the dev-code folder of every node: written to a dot-name beside the
// target, then renamed, so a supervisor polling the folder sees the old file or the new one.
// The rename is a fixed script run by `docker exec`, with the paths as its arguments.
import { chmodSync } from 'node:fs';
import { $ } from '../shell.ts';
import { NODE_DIR } from './overlay.ts';

export interface Delivery {
  /** The bundle on this machine. */
  from: string;
  /** Its path under the node's dev-code folder: `api/main.mjs`, `supervisor.mjs`. */
  to: string;
}

/** Makes the dev-code folder and a folder per service on each node; safe to repeat. */
export async function prepareNodes(nodes: string[], services: readonly string[]): Promise<void> {
  await Promise.all(nodes.map((node) => $({ timeout: '30s' })`docker exec ${node} mkdir -p ${NODE_DIR} ${services.map((s) => `${NODE_DIR}/${s}`)}`));
}

const staged = (to: string) => `${NODE_DIR}/.incoming.${to.replaceAll('/', '.')}`;

/**
 * Copies each file beside its place on every node, under a dot-name the supervisors ignore. The
 * copies start before this returns (docker cp reads the file itself), so they go on while the
 * type check holds this process; a failed check leaves the pods as they were.
 */
export function stage(nodes: string[], files: Delivery[]): Promise<void> {
  // Readable by the pods' uid 1000 whatever this machine's umask made them: docker cp keeps the mode.
  for (const { from } of files) chmodSync(from, 0o644);
  const copies = nodes.flatMap((node) => files.map(({ from, to }) => $({ timeout: '30s' })`docker cp ${from} ${`${node}:${staged(to)}`}`));
  return Promise.all(copies).then(() => undefined);
}

/** Renames the staged files into place: what the supervisors see. */
export async function swap(nodes: string[], files: Delivery[]): Promise<void> {
  if (files.length === 0) return;
  await Promise.all(
    nodes.map(
      (node) =>
        $({
          timeout: '30s',
        })`docker exec ${node} sh -c ${'while [ $# -gt 0 ]; do mv -f "$1" "$2"; shift 2; done'} sh ${files.flatMap(({ to }) => [staged(to), `${NODE_DIR}/${to}`])}`,
    ),
  );
}
