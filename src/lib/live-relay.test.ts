import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_REDIS_URL } from '../../test/components.js';
import { needs } from '../../test/helpers/needs.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { createLiveEvents, type LogKind } from './live-events.js';
import { type LiveRelay, startLiveRelay } from './live-relay.js';

const relays: LiveRelay[] = [];
afterEach(async () => {
  for (const r of relays.splice(0)) await r.stop();
});

describe.skipIf(!needs('redis'))('the live events relay (Redis pub/sub)', () => {
  it('tells the other instances of a log write once, and never echoes it back', async () => {
    const errors: unknown[] = [];
    const prefix = `test-${randomBytes(4).toString('hex')}`;
    const instances = ['a', 'b', 'c'].map((name) => ({ id: `${name}-${randomBytes(4).toString('hex')}`, live: createLiveEvents(), heard: [] as LogKind[] }));
    for (const i of instances) {
      i.live.onLogsWritten((k) => i.heard.push(k));
      relays.push(await startLiveRelay({ live: i.live, redisUrl: process.env['TEST_REDIS_URL'] ?? DEFAULT_REDIS_URL, prefix, instanceId: i.id, onError: (e) => errors.push(e) }));
    }
    // Subscriptions are not awaited at start: wait until a probe reaches the others.
    await waitFor(async () => {
      instances[2]!.live.logsWritten('system');
      await new Promise((r) => setTimeout(r, 50));
      return instances[0]!.heard.includes('system') && instances[1]!.heard.includes('system');
    }, 10_000, 'the subscriptions');
    await new Promise((r) => setTimeout(r, 200));
    for (const i of instances) i.heard.length = 0;

    instances[0]!.live.logsWritten('mcp');
    await waitFor(() => instances[1]!.heard.length > 0 && instances[2]!.heard.length > 0, 5000, 'the relay');
    await new Promise((r) => setTimeout(r, 300));
    expect(instances.map((i) => i.heard)).toEqual([['mcp'], ['mcp'], ['mcp']]);
    expect(errors).toEqual([]);
  });
});
