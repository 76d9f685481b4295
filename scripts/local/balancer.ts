// A local stand-in for a Kubernetes Service: each new TCP connection goes to a randomly chosen
// ready replica, as kube-proxy does, and replicas that fail their readiness check are taken
// out of rotation until they pass again, as endpoints are.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Backend {
  host: string;
  port: number;
}

export interface Balancer {
  port: number;
  close(): Promise<void>;
}

export async function startBalancer(backends: () => Backend[], port = 0, checkEveryMs = 500): Promise<Balancer> {
  const ready = new Set<string>();
  const key = (b: Backend) => `${b.host}:${b.port}`;
  const check = async () => {
    await Promise.all(
      backends().map(async (b) => {
        const ok = await fetch(`http://${b.host}:${b.port}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) ready.add(key(b));
        else ready.delete(key(b));
      }),
    );
  };
  await check();
  const timer = setInterval(() => void check(), checkEveryMs);

  const server = net.createServer((client) => {
    const candidates = backends().filter((b) => ready.has(key(b)));
    const target = candidates[Math.floor(Math.random() * candidates.length)];
    if (!target) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', () => {
      ready.delete(key(target));
      close();
    });
    upstream.on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        server.close(() => resolve());
      }),
  };
}
