import type { RateRule } from './channel-kinds.js';

/**
 * Sliding windows of send times per key, in memory (one worker per instance). `wait` says how long
 * until every rule has room; `take` records a send. Time comes from the caller (an injectable clock).
 */
export function createRateLimiter() {
  const sent = new Map<string, number[]>();
  const recent = (rule: RateRule, nowMs: number) => {
    const times = (sent.get(rule.key) ?? []).filter((t) => t > nowMs - rule.windowMs);
    sent.set(rule.key, times);
    return times;
  };
  return {
    wait(rules: RateRule[], nowMs: number): number {
      let wait = 0;
      for (const rule of rules) {
        const times = recent(rule, nowMs);
        if (times.length >= rule.max) wait = Math.max(wait, times[times.length - rule.max]! + rule.windowMs - nowMs);
      }
      return wait;
    },
    take(rules: RateRule[], nowMs: number): void {
      for (const rule of rules) recent(rule, nowMs).push(nowMs);
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;
