// What the suite needs from wherever the pipeline runs, and nothing more: the scenarios are
// written once against this, and `kind` (the cluster `npm run deploy` made) or `local` (the
// pipeline as processes, started by the suite) carry it out.
import type { StageDir } from '../services/lib/layout.ts';
import type { DirListing } from '../services/dashboard/src/stages.ts';

export type TargetName = 'kind' | 'local';

/** The pipeline's long-running services that a scenario may kill. */
export type Killable = 'api' | 'text-to-csv' | 'csv-to-json' | 'json-to-api';

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
  /** Kills one instance of `service` abruptly; it comes back as its Deployment would bring it. Returns its name. */
  kill(service: Killable): Promise<string>;
  /** Empties the shared volume and starts the pipeline again (`npm run reset` on kind). */
  reset(): Promise<void>;
  dashboardUrl(): Promise<string>;
}
