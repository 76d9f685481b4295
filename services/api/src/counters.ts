// This replica's own tallies, served on GET /stats. Idempotency keys are remembered in a
// bounded window so a re-sent request (after a client crash or retry) shows up as a replay;
// re-sends come within seconds, so the window need not hold more than that.

const KEY_WINDOW = 50_000;

export class Counters {
  readonly startedAt = new Date();
  requests = { single: 0, bulk: 0 };
  documents = { accepted: 0, rejected: 0 };
  replays = 0;
  private readonly keys: KeyWindow;

  constructor(
    readonly pod: string,
    window = KEY_WINDOW,
  ) {
    this.keys = new KeyWindow(window);
  }

  /** Records an Idempotency-Key; true when this replica has seen it before. */
  seen(key: string | undefined): boolean {
    if (!key || !this.keys.add(key)) return false;
    this.replays += 1;
    return true;
  }

  snapshot() {
    return {
      pod: this.pod,
      startedAt: this.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt.getTime()) / 1000),
      requests: { ...this.requests },
      documents: { ...this.documents },
      replays: this.replays,
    };
  }
}

/**
 * Remembers at least the last `size` keys and never more than twice as many, in two generations:
 * when the current one is full it becomes the previous one, and the old previous one is dropped
 * whole. Dropping the oldest key one at a time (a Set's first entry) cost about 16 µs a request
 * once the window was full: V8 finds a Set's first entry by stepping over the entries deleted
 * since it last rebuilt the table.
 */
export class KeyWindow {
  private current = new Set<string>();
  private previous = new Set<string>();

  constructor(private readonly size: number) {}

  /** Adds a key; true when it was already there. */
  add(key: string): boolean {
    if (this.current.has(key) || this.previous.has(key)) return true;
    this.current.add(key);
    if (this.current.size >= this.size) {
      this.previous = this.current;
      this.current = new Set();
    }
    return false;
  }

  get remembered(): number {
    return this.current.size + this.previous.size;
  }
}
