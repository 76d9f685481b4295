// A counting semaphore: at most `size` requests in flight, and a freed slot wakes exactly one
// waiter (a Promise.race over all in-flight requests would cost O(size) per document).
export class Slots {
  private free: number;
  private waiters: Array<() => void> = [];
  private inUse = 0;
  private drained: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  async take(): Promise<void> {
    if (this.free > 0) this.free -= 1;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.inUse += 1;
  }

  give(): void {
    this.inUse -= 1;
    const next = this.waiters.shift();
    if (next) next();
    else this.free += 1;
    if (this.inUse === 0) for (const d of this.drained.splice(0)) d();
  }

  /** Resolves when nothing is in flight. */
  idle(): Promise<void> {
    return this.inUse === 0 ? Promise.resolve() : new Promise((resolve) => this.drained.push(resolve));
  }
}
