import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../lib/errors.ts';
import { parseFlags, parseFlagsAndArgument, type Flag } from '../lib/flags.ts';
import { FakeWorld } from './fake-world.ts';

const SPEC = {
  stage: { type: 'string', value: '<service>', description: 'only that service' },
  replicas: { type: 'integer', value: '<n>', description: 'api replicas' },
  json: { type: 'boolean', description: 'raw lines' },
} satisfies Record<string, Flag>;

const usage = (args: string[], spec: Record<string, Flag> = SPEC) => {
  try {
    parseFlags(spec, args);
  } catch (err) {
    if (err instanceof UsageError) return { message: err.message, hint: err.hint };
    throw err;
  }
  throw new Error(`${args.join(' ')} was accepted`);
};

describe('parseFlags', () => {
  it('when the flags are known, then each comes back with its type', () => {
    const flags = parseFlags(SPEC, ['--stage', 'api', '--replicas=3', '--json']);
    expect(flags).toEqual({ stage: 'api', replicas: 3, json: true });
    expect(parseFlags(SPEC, [])).toEqual({});
  });

  it('when a flag is unknown, then it is named with the list of known ones', () => {
    expect(usage(['--stage', 'api', '--nope'])).toEqual({
      message: "Unknown option '--nope'",
      hint: 'known flags: --stage <service> (only that service), --replicas <n> (api replicas), --json (raw lines)',
    });
  });

  it('when a script takes no flags, then any flag is refused and the hint says so', () => {
    expect(usage(['--yes'], {})).toEqual({ message: "Unknown option '--yes'", hint: 'this script takes no flags' });
  });

  it.each([
    [['--stage'], "Option '--stage <value>' argument missing"],
    [['--json=yes'], "Option '--json' does not take an argument"],
    [['api'], "Unexpected argument 'api'"],
    [['--replicas', 'three'], '--replicas takes a whole number, got "three"'],
    [['--replicas', '1.5'], '--replicas takes a whole number, got "1.5"'],
  ])('when given %j, then it says what is wrong', (args, message) => {
    expect(usage(args).message).toBe(message);
  });
});

describe('parseFlagsAndArgument', () => {
  const AFTER = { after: { type: 'string', value: '<stage>', description: 'the stage it follows' } } satisfies Record<string, Flag>;

  it('when one argument comes with the flags, in any order, then both come back', () => {
    expect(parseFlagsAndArgument(AFTER, '<name>', ['enrich', '--after', 'csv-to-json'])).toEqual({ argument: 'enrich', flags: { after: 'csv-to-json' } });
    expect(parseFlagsAndArgument(AFTER, '<name>', ['--after=csv-to-json', 'enrich'])).toEqual({ argument: 'enrich', flags: { after: 'csv-to-json' } });
  });

  it.each([
    [[], 'expected one <name>, got none'],
    [['a', 'b'], 'expected one <name>, got "a" "b"'],
    [['a', '--before', 'x'], "Unknown option '--before'"],
  ])('when given %j, then it says what is wrong and lists the flags', (args, message) => {
    expect(() => parseFlagsAndArgument(AFTER, '<name>', args)).toThrow(expect.objectContaining({ message, hint: 'known flags: --after <stage> (the stage it follows)' }));
  });
});

describe('a script given a flag it does not know', () => {
  let world: FakeWorld;
  beforeAll(() => {
    world = new FakeWorld({ clusters: ['k8s-pipe'], contexts: ['kind-k8s-pipe'] });
  });
  afterAll(() => world.remove());

  it('when a script with flags gets one it does not know, then it stops before doing anything and lists the known ones', async () => {
    const run = await world.run('reset', ['--yse']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("✗ Unknown option '--yse'");
    expect(run.stderr).toContain('next: known flags: --yes (do not ask first)');
    expect(world.calls()).toEqual([]);
  });

  it('when a script without flags gets one, then it says it takes none', async () => {
    const run = await world.run('teardown', ['--yes']);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("✗ Unknown option '--yes'");
    expect(run.stderr).toContain('next: this script takes no flags');
    expect(world.calls()).toEqual([]);
  });
});
