// Polling with a time limit, for what no single kubectl call can wait for.
import { sleep } from 'zx';
import { kind } from './config.ts';
import { TimeoutError } from './errors.ts';

const RETRY_MS = 2000;

/**
 * Calls `pending` every RETRY_MS until it resolves undefined (done), for at most `seconds`.
 * Its answer, or its error, says what is still missing; the last one goes into the failure.
 */
export async function waitUntil(pending: () => Promise<string | undefined>, failure: string, hint: string, seconds = kind.waitSeconds): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const missing = await pending().catch((err: unknown) => (err as Error).message.trim());
    if (missing === undefined) return;
    if (Date.now() >= deadline) throw new TimeoutError(`${failure} within ${seconds}s: ${missing}`, hint);
    await sleep(RETRY_MS);
  }
}
