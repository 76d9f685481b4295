// Command-line flags of every script, parsed by node's util.parseArgs in strict mode: each flag
// has a type, and an unknown flag, a missing value or a stray argument stops the script with
// the list of the flags it knows.
import { parseArgs } from 'node:util';
import { UsageError } from './errors.ts';

export type Flag =
  | { type: 'boolean'; description: string }
  /** `value` names the value in the list of known flags: `--stage <service>`. */
  | { type: 'string' | 'integer'; value: string; description: string };

export type Flags<S extends Record<string, Flag>> = {
  [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : S[K]['type'] extends 'integer' ? number : string;
};

/** "--stage <service>  only that service's pods" for each flag, or that there are none. */
export function knownFlags(spec: Record<string, Flag>): string {
  const entries = Object.entries(spec);
  if (entries.length === 0) return 'this script takes no flags';
  return `known flags: ${entries.map(([name, f]) => `--${name}${f.type === 'boolean' ? '' : ` ${f.value}`} (${f.description})`).join(', ')}`;
}

export function parseFlags<S extends Record<string, Flag>>(spec: S, args: string[] = process.argv.slice(2)): Flags<S> {
  return parse(spec, args, false).flags;
}

/** As parseFlags, for a script that takes exactly one argument besides its flags; `what` names it in messages. */
export function parseFlagsAndArgument<S extends Record<string, Flag>>(spec: S, what: string, args: string[] = process.argv.slice(2)): { argument: string; flags: Flags<S> } {
  const { flags, positionals } = parse(spec, args, true);
  if (positionals.length !== 1)
    throw new UsageError(`expected one ${what}, got ${positionals.length === 0 ? 'none' : positionals.map((p) => JSON.stringify(p)).join(' ')}`, knownFlags(spec));
  return { argument: positionals[0]!, flags };
}

function parse<S extends Record<string, Flag>>(spec: S, args: string[], allowPositionals: boolean): { flags: Flags<S>; positionals: string[] } {
  const options = Object.fromEntries(Object.entries(spec).map(([name, f]) => [name, { type: f.type === 'boolean' ? ('boolean' as const) : ('string' as const) }]));
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args, options, strict: true, allowPositionals }));
  } catch (err) {
    if (!(err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS_'))) throw err;
    // Node's first sentence names the culprit ("Unknown option '--nope'"); the rest is advice that does not apply here.
    throw new UsageError(err.message.split('. ')[0]!, knownFlags(spec));
  }
  const flags: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) continue;
    if (spec[name]?.type === 'integer') {
      const n = Number(value);
      if (value === '' || !Number.isInteger(n)) throw new UsageError(`--${name} takes a whole number, got ${JSON.stringify(value)}`, knownFlags(spec));
      flags[name] = n;
    } else {
      flags[name] = value;
    }
  }
  return { flags: flags as Flags<S>, positionals };
}
