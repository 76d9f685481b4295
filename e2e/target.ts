// What the suite needs from wherever the pipeline runs, and nothing more: the scenarios are
// written once against this, and `kind` (the cluster `npm run deploy` made) or `local` (the
// pipeline as processes, started by the suite) carry it out.
import type { StageDir, DirListing } from '../services/lib/layout.ts';
import type { DataStageName } from '../services/lib/pipeline.ts';

export type TargetName = 'kind' | 'local';

/** The data stages (services/lib/pipeline.ts), which a scenario may restart politely. */
export type DataStage = DataStageName;

/** The pipeline's long-running services that a scenario may kill. */
export type Killable = 'api' | DataStage;

/** A polite stop: a `kubectl rollout restart`, or `kubectl delete pod` with the default grace period. */
export type PoliteStop = 'rollout' | 'delete';

export interface Listed {
  batch: string;
  /** Entries getdata listed, one line each. */
  entries: number;
}

export interface Target {
  name: TargetName;
  /** Brings the pipeline up (local) or checks that it is up (kind). */
  up(): Promise<void>;
  down(): Promise<void>;
  /** Places a complete file in txt/ under `fileName`, as a person dropping a listing would. */
  drop(fileName: string, content: Buffer): Promise<void>;
  /** The names in every folder of the shared volume. */
  files(): Promise<DirListing>;
  /** A file of the shared volume; undefined when it is not there. */
  read(dir: StageDir, fileName: string): Promise<Buffer | undefined>;
  /** Runs getdata once, now, as its schedule would. */
  triggerGetdata(): Promise<Listed>;
  /** The api replicas that are up, by the name their answers carry. */
  apiReplicas(): Promise<string[]>;
  /**
   * Deletes one instance of `service` at once: on kind `--grace-period=0 --force` (SIGTERM with no
   * time to act on it, then SIGKILL), locally SIGKILL. It comes back as its Deployment would bring it. Returns its name.
   */
  forceDelete(service: Killable): Promise<string>;
  /** Stops `stage` with SIGTERM, as `how` would, and waits until its replacement is ready. Returns the stopped instance's name. */
  restart(stage: DataStage, how: PoliteStop): Promise<string>;
  /** Sets json-to-api's POST_MODE (on kind a rollout of its own) and waits until it runs with it. */
  postMode(mode: 'single' | 'bulk'): Promise<void>;
  /** Empties the shared volume and starts the pipeline again (`npm run reset` on kind). */
  reset(): Promise<void>;
  dashboardUrl(): Promise<string>;
}
