// Capped exponential backoff with jitter, so many waiting requests do not return in lockstep.
export function backoffMs(attempt: number, baseMs = 100, capMs = 5000, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
