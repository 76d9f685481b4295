import { afterEach, describe, expect, it } from 'vitest';
import { pinnedBase, SERVICES } from '../lib/images.ts';
import { command, FakeWorld, type Run } from './fake-world.ts';

const STEPS = ['preflight', 'cluster', 'storage', 'images', 'apply', 'wait', 'canary', 'summary'];
// Where a test is about another step, the canary is left out: it adds a few seconds to each run.
const NO_CANARY = ['--no-canary'];

let world: FakeWorld;
afterEach(() => world.remove());

/** The ✓/✗ status lines of a run, as [mark, step]. */
const statusLines = (run: Run) =>
  run.stdout
    .split('\n')
    .filter((l) => /^[✓✗] /.test(l))
    .map((l) => l.split(/\s+/).slice(0, 2));

const commands = () => world.calls().map(command);
const firstIndex = (pattern: RegExp) => commands().findIndex((c) => pattern.test(c));

describe('npm run deploy', () => {
  it('when nothing exists yet, then it runs its steps in order and ends with how to reach the api', async () => {
    world = new FakeWorld();
    const run = await world.run('deploy');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(statusLines(run)).toEqual(STEPS.map((s) => ['✓', s]));
    const order = [
      /^docker version/,
      /^kind create cluster --name k8s-pipe --config .*kind-config.yaml$/,
      /^kubectl wait --for=condition=Ready nodes --all/,
      /^kubectl get storageclass local-path/,
      /^docker build --file .*services\/Dockerfile --build-arg BASE_IMAGE=\S+ --build-arg SERVICE=getdata --tag k8s-pipe\/getdata:[0-9a-f]{12} \.$/,
      new RegExp(`^kind load docker-image --name k8s-pipe( k8s-pipe\\/[a-z-]+:[0-9a-f]{12}){${SERVICES.length}}$`),
      /^kubectl apply --kustomize .*dist\/deploy$/,
      /^kubectl rollout status deployment.apps\/api/,
      /^kubectl exec --stdin pod\/\S+ --container \S+ -- node -e/,
      /^kubectl get deployments --selector \S+ --output json$/,
    ].map(firstIndex);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(run.stdout).toContain('/api/v1/namespaces/k8s-pipe/services/api:http/proxy/stats');
    expect(run.stdout).toContain('http://127.0.0.1:30081');
    expect(run.stdout).toMatch(/Next: npm run logs/);
  });

  it('when it runs a second time, then it creates nothing', async () => {
    world = new FakeWorld();
    await world.deploy();
    const second = await world.run('deploy', NO_CANARY);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(commands().filter((c) => /^kind (create|load)|^docker build|^kubectl apply/.test(c))).toEqual([]);
    expect(second.stdout).toMatch(/✓ cluster .* exists k8s-pipe/);
    expect(second.stdout).toMatch(/✓ images .* 0 built, 0 loaded, 6 already on the node/);
    expect(second.stdout).toMatch(/✓ apply .* no changes: the cluster runs these manifests$/m);
  });

  it("when kind's own provisioner runs, then only the local-path StorageClass is added beside it", async () => {
    world = new FakeWorld({ kindStorage: true });
    const run = await world.run('deploy', NO_CANARY);
    expect(run.stdout).toMatch(/✓ storage .* added StorageClass local-path, served by kind's local-path-provisioner/);
    const added = world.calls('kubectl').find((c) => c.args.includes('--filename'));
    expect(added?.stdin).toMatch(/^kind: StorageClass$/m);
    expect(added?.stdin).not.toMatch(/kind: Deployment/);
    expect(commands()).not.toContainEqual(expect.stringMatching(/apply --kustomize .*local-path-storage/));
  });

  it('when the cluster has no provisioner, then the vendored one is installed and waited for', async () => {
    world = new FakeWorld({ kindStorage: false });
    const run = await world.run('deploy', NO_CANARY);
    expect(run.stdout).toMatch(/✓ storage .* installed local-path-provisioner v0.0.37/);
    expect(firstIndex(/apply --kustomize .*manifests\/local-path-storage$/)).toBeLessThan(firstIndex(/rollout status deployment\/local-path-provisioner/));
  });

  it('when given --follow, then after its summary it follows the pipeline pods, rendered for a person, until Ctrl-C', async () => {
    world = new FakeWorld();
    const deploy = await world.start('deploy', ['--follow', ...NO_CANARY]);
    await expect.poll(() => deploy.stdout(), { timeout: 60_000, interval: 200 }).toMatch(/^\[05:34:12\.345\] INFO: api-\d+ started api-\d+ \{"port":8080\}$/m);
    const result = await deploy.stop();
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.indexOf('✓ summary')).toBeLessThan(result.stdout.indexOf('INFO: api-'));
    expect(result.stdout).toMatch(/^text-to-csv-\d+ plain line from text-to-csv-\d+$/m);
    expect(result.stdout).toMatch(/Next: npm run logs/);
  });

  it('when KIND_NODE_IMAGE is set, then the cluster is created from that node image', async () => {
    world = new FakeWorld();
    await world.run('deploy', NO_CANARY, { KIND_NODE_IMAGE: 'k8s-pipe/kind-node:v1.31.14' });
    expect(commands()).toContainEqual(expect.stringMatching(/^kind create cluster .* --image k8s-pipe\/kind-node:v1.31.14$/));
  });

  describe('the base image', () => {
    const STAND_IN = 'node:24-bookworm-slim';
    const id = (c: string) => `sha256:${c.repeat(64)}`;
    const builds = () => world.calls('docker').filter((c) => c.args[0] === 'build');
    const buildArgs = () => builds().map((c) => c.args[c.args.indexOf('--build-arg') + 1]);
    const tags = () => builds().map((c) => c.args[c.args.indexOf('--tag') + 1]);

    it('when Docker holds the pinned index digest, then every image builds on it', async () => {
      const pinned = await pinnedBase();
      expect(pinned).toMatch(/^node:24-bookworm-slim@sha256:[0-9a-f]{64}$/);
      world = new FakeWorld({ bases: { [pinned]: { id: id('a'), digests: 1 }, [STAND_IN]: { id: id('b'), digests: 0 } } });
      const run = await world.run('deploy', NO_CANARY);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(buildArgs()).toEqual(Array(SERVICES.length).fill(`BASE_IMAGE=${pinned}`));
      expect(run.stdout).toContain(`base ${pinned}`);
    });

    it('when only a stand-in built here has the plain tag, then images build on that tag, and a rebuilt stand-in gives them new tags', async () => {
      world = new FakeWorld({ bases: { [STAND_IN]: { id: id('1'), digests: 0 } } });
      const first = await world.run('deploy', NO_CANARY);
      expect(first.exitCode, first.stderr).toBe(0);
      expect(buildArgs()).toEqual(Array(SERVICES.length).fill(`BASE_IMAGE=${STAND_IN}`));
      expect(first.stdout).toContain(`base the local stand-in ${STAND_IN} (sha256:111111111111)`);
      const before = tags();
      world.setState({ bases: { [STAND_IN]: { id: id('2'), digests: 0 } } });
      const second = await world.run('deploy', NO_CANARY);
      expect(second.exitCode, second.stderr).toBe(0);
      const after = tags().slice(before.length);
      expect(after).toHaveLength(6);
      expect(after.filter((t) => before.includes(t))).toEqual([]);
    });

    it('when the plain tag holds an image pulled by another digest, then the pin is built on (and pulled)', async () => {
      const pinned = await pinnedBase();
      world = new FakeWorld({ bases: { [STAND_IN]: { id: id('c'), digests: 1 } } });
      const run = await world.run('deploy', NO_CANARY);
      expect(run.exitCode, run.stderr).toBe(0);
      expect(buildArgs()).toEqual(Array(SERVICES.length).fill(`BASE_IMAGE=${pinned}`));
    });
  });

  it('when the Docker engine is down, then preflight fails and says how to start it', async () => {
    world = new FakeWorld({ docker: 'down' });
    const run = await world.run('deploy');
    expect(run.exitCode).toBe(1);
    expect(statusLines(run)).toEqual([['✗', 'preflight']]);
    expect(run.stderr).toContain('the Docker engine does not answer (Cannot connect to the Docker daemon');
    expect(run.stderr).toContain('next: start Docker');
    expect(world.calls('kind')).toEqual([]);
  });

  it('when KIND_EXPERIMENTAL_PROVIDER is podman, then preflight refuses before any tool runs, saying why and to use Docker', async () => {
    world = new FakeWorld();
    const run = await world.run('deploy', [], { KIND_EXPERIMENTAL_PROVIDER: 'podman' });
    expect(run.exitCode).toBe(1);
    expect(statusLines(run)).toEqual([['✗', 'preflight']]);
    expect(run.stderr).toContain("KIND_EXPERIMENTAL_PROVIDER=podman: these scripts work with kind's docker provider only");
    expect(run.stderr).toMatch(/kind load docker-image.*docker save.*localhost\/<name>/);
    expect(run.stderr).toContain('next: unset KIND_EXPERIMENTAL_PROVIDER and use Docker: Docker Engine on Linux, Docker Desktop on macOS or Windows');
    expect(world.calls()).toEqual([]);
  });

  it('when KIND_EXPERIMENTAL_PROVIDER is docker, then deploy runs as usual', async () => {
    world = new FakeWorld();
    const run = await world.run('deploy', [], { KIND_EXPERIMENTAL_PROVIDER: 'docker' });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(statusLines(run)).toEqual(STEPS.map((s) => ['✓', s]));
  });

  it("when docker on PATH is Podman's docker shim, then preflight refuses before building anything, saying why and to use Docker", async () => {
    world = new FakeWorld({ docker: 'podman' });
    const run = await world.run('deploy');
    expect(run.exitCode).toBe(1);
    expect(statusLines(run)).toEqual([['✗', 'preflight']]);
    expect(run.stderr).toContain('docker on PATH is Podman (`docker version` names Podman Engine)');
    expect(run.stderr).toMatch(/kind load docker-image.*docker save.*localhost\/<name>/);
    expect(run.stderr).toContain('next: use Docker: Docker Engine on Linux, Docker Desktop on macOS or Windows, and make its docker the one on PATH');
    expect(world.calls('docker').map((c) => c.args.join(' '))).toEqual(['version']);
    expect(world.calls('kind')).toEqual([]);
  });

  it('when kind is not installed, then preflight fails and says how to install it', async () => {
    world = new FakeWorld({}, ['docker', 'kubectl']);
    const run = await world.run('deploy');
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('kind is not installed');
    expect(run.stderr).toContain('go install sigs.k8s.io/kind@');
    expect(world.calls('kubectl')).toEqual([]);
  });

  it('when given --no-canary, then it goes from wait to summary and drops nothing into the volume', async () => {
    world = new FakeWorld();
    const run = await world.run('deploy', NO_CANARY);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(statusLines(run)).toEqual(STEPS.filter((s) => s !== 'canary').map((s) => ['✓', s]));
    expect(commands()).not.toContainEqual(expect.stringMatching(/^kubectl exec/));
  });

  it('when a rollout does not finish in time, then the wait step fails and names it', async () => {
    world = new FakeWorld({ rolloutFails: true });
    const run = await world.run('deploy', [], { WAIT_SECONDS: '5' });
    expect(run.exitCode).toBe(1);
    expect(statusLines(run).at(-1)).toEqual(['✗', 'wait']);
    expect(run.stderr).toMatch(/not rolled out within 5s: error: timed out waiting for the condition/);
    expect(commands()).toContainEqual(expect.stringMatching(/rollout status .* --timeout=5s$/));
  });
});

describe('npm run deploy, its longest step', () => {
  const IMAGE_STEPS = [
    /^ {2}images: bundling the services$/,
    /^ {2}images: choosing the base image$/,
    ...SERVICES.map((s, i) => new RegExp(`^ {2}images: k8s-pipe/${s}:[0-9a-f]{12} \\(${i + 1}/${SERVICES.length}\\)$`)),
    /^ {2}images: finding what the node lacks$/,
    new RegExp(`^ {2}images: loading ${SERVICES.length} images into the node$`),
  ];

  it('when its output is not a terminal, then the images step names each sub-step on a plain line before its ✓ line', async () => {
    world = new FakeWorld();
    const run = await world.run('deploy');
    expect(run.exitCode, run.stderr).toBe(0);
    const lines = run.stdout.split('\n');
    const done = lines.findIndex((l) => l.startsWith('✓ images '));
    const subSteps = lines.slice(done - IMAGE_STEPS.length, done);
    IMAGE_STEPS.forEach((pattern, i) => expect(subSteps[i]).toMatch(pattern));
    expect(lines[done - IMAGE_STEPS.length - 1]).toMatch(/^✓ storage /);
  });

  it('when it runs on a terminal, then a spinner shows the current sub-step instead of plain lines', async () => {
    world = new FakeWorld();
    const run = await world.runInTerminal('deploy');
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toMatch(new RegExp(`[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] images: k8s-pipe/[a-z-]+:[0-9a-f]{12} \\(\\d/${SERVICES.length}\\)`));
    expect(run.output).not.toMatch(/^ {2}images: /m);
    expect(run.output).toMatch(new RegExp(`^✓ images .* ${SERVICES.length} built, ${SERVICES.length} loaded`, 'm'));
  });

  it('when CI is set, then even a terminal gets plain lines', async () => {
    world = new FakeWorld();
    const run = await world.runInTerminal('deploy', [], { CI: 'true' });
    expect(run.exitCode, run.output).toBe(0);
    expect(run.output).toMatch(/^ {2}images: bundling the services\r?$/m);
    expect(run.output).not.toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/);
  });
});
