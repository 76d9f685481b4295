// Server-sent events: every open page gets each new state as one `data:` line, and stop()
// ends the streams so the HTTP server can close (they are never idle).
import type { Response } from 'express';

export class EventFeed {
  private readonly clients = new Set<Response>();

  constructor(private readonly onCount: (clients: number) => void) {}

  add(res: Response, current: unknown): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    // A page that loses the stream tries again after two seconds.
    res.write('retry: 2000\n\n');
    res.write(message(current));
    this.clients.add(res);
    this.onCount(this.clients.size);
    res.on('close', () => {
      this.clients.delete(res);
      this.onCount(this.clients.size);
    });
  }

  publish(data: unknown): void {
    if (this.clients.size === 0) return;
    const text = message(data);
    for (const res of this.clients) res.write(text);
  }

  close(): void {
    for (const res of this.clients) res.end();
    this.clients.clear();
    this.onCount(0);
  }
}

function message(data: unknown): string {
  return `data: ${JSON.stringify(data)}\n\n`;
}
