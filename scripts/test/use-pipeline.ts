// One local pipeline for a whole test file, in a temporary data directory removed afterwards.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { DEFAULTS } from '../../services/lib/config.ts';
import { startPipeline, type Pipeline, type PipelineOptions } from '../local/pipeline.ts';

export interface PipelineFixture {
  /** The pipeline, once beforeAll has run. */
  readonly pipeline: Pipeline;
  /** A scratch directory beside the data directory, for fixture trees. */
  readonly tmp: string;
}

export function usePipeline(name: string, env: PipelineOptions['env'] = {}): PipelineFixture {
  const tmp = mkdtempSync(path.join(os.tmpdir(), `${name}-`));
  let pipeline: Pipeline | undefined;
  beforeAll(async () => {
    pipeline = await startPipeline({ dataDir: path.join(tmp, 'data'), replicas: DEFAULTS.apiReplicas, schedule: false, env });
  });
  afterAll(async () => {
    await pipeline?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });
  return {
    tmp,
    get pipeline() {
      if (!pipeline) throw new Error('the pipeline starts in beforeAll; use it inside a test');
      return pipeline;
    },
  };
}
