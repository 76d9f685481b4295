import { describe, expect, test } from 'vitest';
import { Counters, KeyWindow } from '../src/counters.ts';

const keys = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `batch:${from + i}`);

describe('the replay window', () => {
  test('when more keys than the window have come, then the last window of them are still known as replays', () => {
    const window = new KeyWindow(100);
    for (const key of keys(0, 1_050)) expect(window.add(key)).toBe(false);
    for (const key of keys(950, 1_050)) expect(window.add(key)).toBe(true);
  });

  test('when many windows of keys have come, then it holds no more than two windows of them', () => {
    const window = new KeyWindow(100);
    for (const key of keys(0, 10_000)) {
      window.add(key);
      expect(window.remembered).toBeLessThanOrEqual(200);
    }
    expect(window.add('batch:0')).toBe(false);
  });

  test('when a key repeats, then the replica counts one replay and none for a missing key', () => {
    const counters = new Counters('api-test-pod', 10);
    expect(counters.seen('batch:1')).toBe(false);
    expect(counters.seen('batch:1')).toBe(true);
    expect(counters.seen(undefined)).toBe(false);
    expect(counters.replays).toBe(1);
  });
});
