import { describe, expect, test } from 'vitest';
import { DATA_STAGES, HANDOVER_DIRS, resolve, SINK, SOURCE, STAGE_DIRS, stageOf } from '../pipeline.ts';

describe('the pipeline definition', () => {
  test('when it is resolved, then each data stage reads what the stage before it writes, from getdata to json-to-api', () => {
    expect([SOURCE.name, SINK.name]).toEqual(['getdata', 'json-to-api']);
    expect(DATA_STAGES.map((s) => stageOf(s).input?.dir)).toEqual(HANDOVER_DIRS);
    expect(HANDOVER_DIRS.slice(0, 1)).toEqual(['txt']);
    expect(STAGE_DIRS).toEqual([...HANDOVER_DIRS, 'receipts', 'done', 'dead', '.tmp']);
  });

  test('when a stage is inserted, then the stage after it reads the new folder and nothing else moves', () => {
    const stages = resolve([
      { name: 'getdata', kind: 'source', output: { dir: 'txt', ext: '.txt' } },
      { name: 'enrich', kind: 'file-stage', output: { dir: 'enrich', ext: '.txt' } },
      { name: 'json-to-api', kind: 'sink', output: { dir: 'done', ext: '.json' }, ledger: { dir: 'receipts', ext: '.ndjson' } },
    ]);
    expect(stages.map((s) => [s.name, s.input?.dir, s.output?.dir])).toEqual([
      ['getdata', undefined, 'txt'],
      ['enrich', 'txt', 'enrich'],
      ['json-to-api', 'enrich', 'done'],
    ]);
  });

  test.each([
    ['no source comes first', [{ name: 'a', kind: 'file-stage', output: { dir: 'a', ext: '.a' } }], /no stage before it/],
    ['there is no sink', [{ name: 's', kind: 'source', output: { dir: 's', ext: '.s' } }], /0 sinks/],
    [
      'two stages write one folder',
      [
        { name: 's', kind: 'source', output: { dir: 'x', ext: '.s' } },
        { name: 'a', kind: 'file-stage', output: { dir: 'x', ext: '.a' } },
        { name: 'k', kind: 'sink', output: { dir: 'done', ext: '.json' }, ledger: { dir: 'receipts', ext: '.ndjson' } },
      ],
      /folder x twice/,
    ],
  ] as const)('when %s, then the definition is refused', (_what, definitions, message) => {
    expect(() => resolve(definitions)).toThrow(message);
  });

  test('when an unknown stage is asked for, then the error names the known ones', () => {
    expect(() => stageOf('no-such-stage')).toThrow(/no stage "no-such-stage".*getdata, text-to-csv/);
  });
});
