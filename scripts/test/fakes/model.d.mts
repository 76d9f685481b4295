// Types of model.mjs, for the TypeScript that imports it (fake-world.ts, fake-api.ts).
import type { V1Pod } from '@kubernetes/client-node';
import type { FakePod, State } from '../fake-world.ts';

export declare const NAMESPACE: string;
export declare const KIND_CONTEXT: string;
export declare function labels(p: FakePod): Record<string, string>;
export declare function isReady(p: FakePod): boolean;
export declare function matches(selector: string | undefined, p: FakePod): boolean;
export declare function podObject(p: FakePod, startedAt: string): V1Pod;
export declare function podLogs(p: FakePod): string[];
export declare function writeKubeconfig(dir: string, state: State): void;
