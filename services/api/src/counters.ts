// This replica's own tallies, served on GET /stats. Idempotency keys are remembered in a
// bounded window so a re-sent request (after a client crash or retry) shows up as a replay;
// re-sends come within seconds, so the window need not hold more than that.

const KEY_WINDOW = 50_000;

export class Counters {
  readonly startedAt = new Date();
  requests = { single: 0, bulk: 0 };
  documents = { accepted: 0, rejected: 0 };
  replays = 0;
  private keys = new Set<string>();

  constructor(readonly pod: string) {}

  /** Records an Idempotency-Key; true when this replica has seen it before. */
  seen(key: string | undefined): boolean {
    if (!key) return false;
    if (this.keys.has(key)) {
      this.replays += 1;
      return true;
    }
    this.keys.add(key);
    if (this.keys.size > KEY_WINDOW) this.keys.delete(this.keys.values().next().value!);
    return false;
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
