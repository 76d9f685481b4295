import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../lib/bench-args.ts';
import { rowTemplate, type Template } from '../lib/bench-cluster.ts';
import { UsageError } from '../lib/errors.ts';
import { render } from './render.ts';

const refusal = (args: string[]) => {
  try {
    parseBenchArgs(args);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error(`${args.join(' ')} was accepted`);
};

describe('parseBenchArgs', () => {
  it('when no flag is given, then the target is local with no limits', () => {
    expect(parseBenchArgs([])).toEqual({ target: 'local', limits: {} });
  });

  it('when kind is asked for with limits, then they come back as given', () => {
    expect(parseBenchArgs(['--target', 'kind', '--cpu-limit', '1000m', '--memory-limit', '512Mi'])).toEqual({ target: 'kind', limits: { cpu: '1000m', memory: '512Mi' } });
    expect(parseBenchArgs(['--target=kind', '--cpu-limit=1.5'])).toEqual({ target: 'kind', limits: { cpu: '1.5' } });
  });

  it('when the target is unknown, then it is refused with the list of targets', () => {
    expect(refusal(['--target', 'minikube'])).toBe('unknown target "minikube": the targets are local, kind');
  });

  it('when a limit is given for the local target, then it is refused', () => {
    expect(refusal(['--cpu-limit', '1000m'])).toMatch(/apply to --target kind only/);
  });

  it.each([
    [['--target', 'kind', '--cpu-limit', 'lots'], '--cpu-limit takes a CPU quantity such as 500m or 1, got "lots"'],
    [['--target', 'kind', '--memory-limit', '1 GB'], '--memory-limit takes a memory quantity such as 256Mi, got "1 GB"'],
  ])('when given %j, then it says what is wrong', (args, message) => {
    expect(refusal(args)).toBe(message);
  });
});

describe('rowTemplate', () => {
  const deployment = render('manifests').find((o) => o.kind === 'Deployment' && o.metadata.name === 'json-to-api') as unknown as { spec: { template: Template } };
  const saved = deployment.spec.template;
  const asRendered = structuredClone(saved);
  // A limit no manifest has, so that the row's own value is what is seen.
  const row = rowTemplate(saved, 'json-to-api', { mode: 'bulk', concurrency: 6, limits: { cpu: '1500m' }, row: 'abc123' });
  const container = row.spec.containers.find((c) => c.name === 'json-to-api')!;

  it("when a row sets a CPU limit, then only that limit changes and the manifests' requests and memory limit stay", () => {
    const manifest = asRendered.spec.containers.find((c) => c.name === 'json-to-api')!.resources!;
    expect(container.resources).toEqual({ requests: manifest.requests, limits: { ...manifest.limits, cpu: '1500m' } });
  });

  it('when the row is for the sink, then its posting mode, concurrency and per-document log level are set once each', () => {
    const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ POST_MODE: 'bulk', CONCURRENCY: '6', DOC_LOG_LEVEL: 'debug', API_URL: 'http://api' });
    expect(container.env!.filter((e) => e.name === 'POST_MODE')).toHaveLength(1);
  });

  it('when a row template is made, then it carries the row in an annotation, and the saved template is left as it was', () => {
    expect(row.metadata.annotations).toMatchObject({ 'k8s-pipe.local/bench-row': 'abc123' });
    expect(saved.metadata.annotations?.['k8s-pipe.local/bench-row']).toBeUndefined();
    expect(saved).toEqual(asRendered);
  });
});
