// What a person reads of a service's log lines. A JSON line from pino goes through pino-pretty:
// time, level in colour, the pod (or process) it came from, the message, then the other fields on
// the same line; any other line is shown as it came, after the pod. Pure: it reads no
// environment and writes nothing, so every view of the logs (npm run logs, a later npm run dev)
// renders them alike.
import { styleText } from 'node:util';
import pino from 'pino';
import { prettyFactory } from 'pino-pretty';
import { UsageError } from './errors.ts';

/** pino's levels by name: trace 10, debug 20, info 30, warn 40, error 50, fatal 60. */
// Own entries only: pino's object inherits `silent`, which is no level a line can have.
export const LEVELS: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(pino.levels.values));

/** A level given by pino's name ("warn") or number ("40"); undefined for anything else. */
export function parseLevel(value: string): number | undefined {
  const byName = LEVELS[value.toLowerCase()];
  if (byName !== undefined) return byName;
  const n = Number(value);
  return Object.values(LEVELS).includes(n) ? n : undefined;
}

/** A `--level` flag's value as a level; undefined when the flag was not given. */
export function levelFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const level = parseLevel(value);
  if (level === undefined) {
    const levels = Object.entries(LEVELS).map(([name, n]) => `${name} (${n})`);
    throw new UsageError(`unknown level ${JSON.stringify(value)}`, `--level takes one of ${levels.join(', ')}`);
  }
  return level;
}

export interface RenderOptions {
  /** ANSI colours: the caller decides, from the terminal and NO_COLOR / FORCE_COLOR. */
  colour: boolean;
  /** The lines as they came, with no pod name: for jq, or pino-pretty of one's own. */
  json?: boolean;
  /** Leaves out JSON lines below this level; a line that is not JSON, or has no level, is kept. */
  minLevel?: number;
}

/** A line of `source` (a pod) as it should be printed, or undefined when it is filtered out. */
export type Render = (source: string, line: string) => string | undefined;

// Not cyan: pino-pretty shows the message in cyan, and the pod's name leads it.
const SOURCE_COLOURS = ['magenta', 'yellow', 'green', 'blue', 'magentaBright', 'yellowBright', 'greenBright', 'blueBright'] as const;
// A symbol key reaches pino-pretty's messageFormat but never its list of fields.
const SOURCE = Symbol('source');

/** The same colour for a source every time, from a hash of its name. */
function sourceColour(source: string): (typeof SOURCE_COLOURS)[number] {
  let h = 0;
  for (const c of source) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return SOURCE_COLOURS[h % SOURCE_COLOURS.length]!;
}

function jsonObject(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function levelOf(log: Record<string, unknown>): number | undefined {
  if (typeof log.level === 'number') return log.level;
  return typeof log.level === 'string' ? LEVELS[log.level] : undefined;
}

export function createRenderer(o: RenderOptions): Render {
  // validateStream off: whether to colour is the caller's decision, not stdout's.
  const name = (source: string) => (o.colour ? styleText(sourceColour(source), source, { validateStream: false }) : source);
  const pretty = prettyFactory({
    colorize: o.colour,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    // The pod names where a line came from; pino's pid and hostname, and our `service`, only repeat it.
    ignore: 'pid,hostname,service',
    messageFormat: (log, messageKey) => {
      const message = log[messageKey];
      return `${name(String((log as Record<symbol, unknown>)[SOURCE]))} ${message === undefined ? '' : String(message)}`.trimEnd();
    },
  });
  return (source, line) => {
    const log = jsonObject(line);
    const level = log && levelOf(log);
    if (o.minLevel !== undefined && level !== undefined && level < o.minLevel) return undefined;
    if (o.json) return line;
    if (!log) return `${name(source)} ${line}`;
    // pino-pretty leaves a space before the line break that starts an error's stack.
    return pretty({ ...log, [SOURCE]: source })
      .replace(/ +$/gm, '')
      .trimEnd();
  };
}
