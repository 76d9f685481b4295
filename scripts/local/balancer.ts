// A local stand-in for a Kubernetes Service: each new TCP connection goes to a randomly chosen
// ready replica, as kube-proxy does, and replicas that fail their readiness check are taken
// out of rotation until they pass again, as endpoints are. Like kube-proxy, it does not carry
// the traffic: the connection itself is handed to the replica's process, unread, so every
// byte then goes between client and replica directly. Copying the bytes through this process
// cost about 160 µs of CPU a request.
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface Backend {
  /** The replica's own port, for its readiness check. */
  port: number;
  /** Passes the replica an accepted connection; rejects if it cannot take it. */
  handOff(socket: net.Socket): Promise<void>;
}

export interface Balancer {
  port: number;
  close(): Promise<void>;
}

export async function startBalancer(backends: () => Backend[], port = 0, checkEveryMs = 500): Promise<Balancer> {
  const ready = new Set<number>();
  const check = async () => {
    await Promise.all(
      backends().map(async (b) => {
        const ok = await fetch(`http://127.0.0.1:${b.port}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) ready.add(b.port);
        else ready.delete(b.port);
      }),
    );
  };
  await check();
  const timer = setInterval(() => void check(), checkEveryMs);

  // A connection no replica took is offered to the next; it is still unread, so nothing is lost.
  const handOff = async (client: net.Socket, candidates: Backend[]) => {
    while (candidates.length > 0) {
      const [target] = candidates.splice(Math.floor(Math.random() * candidates.length), 1);
      try {
        await target!.handOff(client);
        return;
      } catch {
        ready.delete(target!.port);
      }
    }
    client.destroy();
  };
  // pauseOnConnect: nothing is read here, so the replica gets the request from its first byte.
  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    client.on('error', () => client.destroy());
    void handOff(
      client,
      backends().filter((b) => ready.has(b.port)),
    );
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    // Only the listener is ours to close: handed-off connections belong to the replicas, and
    // waiting for them to drain would wait on replicas that may already be gone.
    close: async () => {
      clearInterval(timer);
      server.close();
    },
  };
}
