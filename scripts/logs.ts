// npm run logs [-- --stage <service>] [-- --since 10m] [-- --level warn] [-- --json]: follows
// every pipeline pod through the Kubernetes API, CronJob runs started later included, from
// their first line. Each JSON line is shown for a person (time, level, pod, message, fields);
// --json prints the lines as they came, and --level leaves out JSON lines below a pino level.
// Ctrl-C stops. Only log lines go to stdout.
//
// Env:
//   KUBECONFIG   ~/.kube/config   the kubeconfig, as kubectl finds it; only its kind-k8s-pipe context is used
//   NO_COLOR     unset            set: no colours, even on a terminal
//   FORCE_COLOR  unset            0 or false: no colours; anything else: colours even into a pipe
import { colourFor } from './lib/config.ts';
import { UsageError } from './lib/errors.ts';
import { knownFlags, parseFlags } from './lib/flags.ts';
import { followLogs, parseSince } from './lib/follow.ts';
import { SERVICES } from './lib/images.ts';
import { createRenderer, levelFlag } from './lib/log-lines.ts';
import { runScript } from './lib/run.ts';

const FLAGS = {
  stage: { type: 'string', value: '<service>', description: "only that service's pods" },
  since: { type: 'string', value: '<duration>', description: 'for pods already running, this far back, e.g. 10m; else their last 20 lines' },
  level: { type: 'string', value: '<level>', description: 'leave out JSON lines below this pino level, e.g. warn or 40' },
  json: { type: 'boolean', description: 'the lines as they came, for jq' },
} as const;

async function main(): Promise<string> {
  const flags = parseFlags(FLAGS);
  const stage = flags.stage;
  if (stage !== undefined && !(SERVICES as readonly string[]).includes(stage)) {
    throw new UsageError(`unknown stage ${JSON.stringify(stage)}`, `--stage takes one of ${SERVICES.join(', ')}`);
  }
  const sinceSeconds = flags.since === undefined ? undefined : parseSince(flags.since);
  if (flags.since !== undefined && sinceSeconds === undefined) {
    throw new UsageError(`--since takes a duration such as 30s, 10m or 1h30m, got ${JSON.stringify(flags.since)}`, knownFlags(FLAGS));
  }
  const minLevel = levelFlag(flags.level);
  const render = createRenderer({ colour: colourFor(process.stdout), json: flags.json, minLevel });
  await followLogs({ stage, sinceSeconds, render });
  return 'Stopped following. npm run status shows where the pipeline stands';
}

// stderr, so that stdout holds log lines only: `npm run logs -- --json | jq` reads nothing else.
runScript(main, process.stderr);
