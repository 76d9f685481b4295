// One prom-client registry per running service, so in-process tests can run several side by side.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  counter(name: string, help: string, labelNames?: string[]): Counter;
  gauge(name: string, help: string, labelNames?: string[]): Gauge;
  histogram(name: string, help: string, buckets: number[], labelNames?: string[]): Histogram;
}

export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'k8s_pipe_' });
  const prefixed = (name: string) => `k8s_pipe_${name}`;
  return {
    registry,
    counter: (name, help, labelNames = []) => new Counter({ name: prefixed(name), help, labelNames, registers: [registry] }),
    gauge: (name, help, labelNames = []) => new Gauge({ name: prefixed(name), help, labelNames, registers: [registry] }),
    histogram: (name, help, buckets, labelNames = []) => new Histogram({ name: prefixed(name), help, buckets, labelNames, registers: [registry] }),
  };
}
