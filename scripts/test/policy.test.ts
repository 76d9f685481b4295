import { describe, expect, it } from 'vitest';
import { localPathStorage, manifests } from '../lib/paths.ts';
import { containerProblems, imageProblems, podTemplate, type Container, type PodTemplate } from './policy.ts';
import { render, type K8sObject } from './render.ts';
import { SETTLE_MS } from '../../services/json-to-api/src/deliver.ts';
import { DATA_STAGES, SOURCE } from '../../services/lib/pipeline.ts';

const objects = render(manifests);
const api = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'api')!;

/** A copy of the api Deployment with one thing taken away from its container. */
function breakApi(change: (container: Container, pod: PodTemplate) => void): K8sObject {
  const copy = structuredClone(api);
  const pod = podTemplate(copy)!;
  change(pod.spec.containers[0]!, pod);
  return copy;
}

describe('container policy', () => {
  it('when the rendered manifests are checked, then no container breaks a rule', () => {
    expect(objects.flatMap(containerProblems)).toEqual([]);
  });

  it.each([
    ['has no limits', (c: Container) => delete c.resources!.limits, 'no cpu limits'],
    ['has no memory request', (c: Container) => delete c.resources!.requests!.memory, 'no memory requests'],
    ['has no readiness probe', (c: Container) => delete c.readinessProbe, 'no readinessProbe'],
    ['has no liveness probe', (c: Container) => delete c.livenessProbe, 'no livenessProbe'],
    ['may run as root', (c: Container) => delete c.securityContext!.runAsNonRoot, 'runAsNonRoot is not true'],
    ['runs as another user', (c: Container) => (c.securityContext!.runAsUser = 0), 'runAsUser is not 1000'],
    ['has a writable root filesystem', (c: Container) => (c.securityContext!.readOnlyRootFilesystem = false), 'readOnlyRootFilesystem is not true'],
    ['may escalate privileges', (c: Container) => delete c.securityContext!.allowPrivilegeEscalation, 'allowPrivilegeEscalation is not false'],
    ['keeps its capabilities', (c: Container) => (c.securityContext!.capabilities!.drop = ['NET_RAW']), 'capabilities do not drop ALL'],
    ['has no seccomp profile', (c: Container) => delete c.securityContext!.seccompProfile, 'seccompProfile is not RuntimeDefault'],
    ['has no POD_NAME', (c: Container) => (c.env = c.env?.filter((e) => e.name !== 'POD_NAME')), 'POD_NAME does not come from the downward API'],
    ['uses latest', (c: Container) => (c.image = 'k8s-pipe/api:latest'), 'is not pinned to a tag'],
    ['names no tag', (c: Container) => (c.image = 'k8s-pipe/api'), 'is not pinned to a tag'],
    ['is always pulled', (c: Container) => (c.imagePullPolicy = 'Always'), 'not IfNotPresent'],
    [
      'lost its labels',
      (_c: Container, pod: PodTemplate) => delete pod.metadata!.labels!['app.kubernetes.io/component'],
      'pod template: missing label app.kubernetes.io/component',
    ],
  ])('when a container %s, then the check names it', (_what, change, expected) => {
    expect(containerProblems(breakApi(change))).toContainEqual(expect.stringContaining(expected));
  });

  it('when a setting is made at pod level instead, then the container still passes', () => {
    const moved = breakApi((c, pod) => {
      pod.spec.securityContext = { seccompProfile: c.securityContext!.seccompProfile };
      delete c.securityContext!.seccompProfile;
    });
    expect(containerProblems(moved)).toEqual([]);
  });
});

describe('third-party images', () => {
  it('when the vendored provisioner is checked, then its images are pinned and pulled only when missing', () => {
    const problems = render(localPathStorage).flatMap((o) =>
      (podTemplate(o)?.spec.containers ?? []).flatMap((c) => imageProblems(`${o.kind}/${o.metadata.name}`, c.image, c.imagePullPolicy)),
    );
    expect(problems).toEqual([]);
  });
});

describe('stopping', () => {
  const grace = (name: string) => objects.map((o) => (o.metadata.name === name ? podTemplate(o)?.spec.terminationGracePeriodSeconds : undefined)).find((g) => g !== undefined);

  it('when a data stage is stopped, then its grace period is set and leaves json-to-api twice the time its in-flight requests may take to settle', () => {
    for (const stage of [SOURCE.name, ...DATA_STAGES]) expect(grace(stage), stage).toBeGreaterThan(0);
    expect(grace('json-to-api')! * 1000).toBeGreaterThanOrEqual(2 * SETTLE_MS);
  });
});
