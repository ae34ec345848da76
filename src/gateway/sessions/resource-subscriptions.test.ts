import { describe, expect, it } from 'vitest';
import { createResourceSubscriptions, type SubscribableConnection } from './resource-subscriptions.js';

/** The registry's bookkeeping against a connection that records what reached the server (and can refuse). */
function setup() {
  const calls: string[] = [];
  let refuse: string | null = null;
  const conn: SubscribableConnection = {
    async subscribeResource(uri) {
      await new Promise((r) => setImmediate(r));
      if (refuse === uri) throw new Error(`refused ${uri}`);
      calls.push(`sub ${uri}`);
    },
    async unsubscribeResource(uri) {
      await new Promise((r) => setImmediate(r));
      calls.push(`unsub ${uri}`);
    },
  };
  const log = { warn: () => {}, debug: () => {} };
  const sut = createResourceSubscriptions({ connection: async () => conn, log });
  return { sut, calls, refuse: (uri: string | null) => (refuse = uri) };
}

describe('resource subscriptions', () => {
  it('subscribes upstream once for concurrent sessions, and unsubscribes when the last one leaves', async () => {
    const { sut, calls } = setup();
    await Promise.all(['s1', 's2', 's3'].map((s) => sut.subscribe('srv', 'a://x', s)));
    expect(calls).toEqual(['sub a://x']);
    expect(sut.subscribers('srv', 'a://x').sort()).toEqual(['s1', 's2', 's3']);
    await sut.unsubscribe('srv', 'a://x', 's1');
    await sut.dropSession('s2');
    expect(calls).toEqual(['sub a://x']);
    await sut.dropSession('s3');
    expect(calls).toEqual(['sub a://x', 'unsub a://x']);
    expect(sut.subscribers('srv', 'a://x')).toEqual([]);
  });

  it('brings the upstream in line with the registrations, one call at a time per URI', async () => {
    const { sut, calls } = setup();
    await Promise.all([sut.subscribe('srv', 'a://x', 's1'), sut.unsubscribe('srv', 'a://x', 's1'), sut.subscribe('srv', 'a://x', 's2')]);
    expect(calls).toEqual(['sub a://x']);
    expect(sut.subscribers('srv', 'a://x')).toEqual(['s2']);
    // Leaving and coming back before the upstream heard of it changes nothing upstream.
    await sut.subscribe('srv', 'a://y', 's1');
    await Promise.all([sut.unsubscribe('srv', 'a://y', 's1'), sut.subscribe('srv', 'a://y', 's1')]);
    expect(calls).toEqual(['sub a://x', 'sub a://y']);
    await sut.unsubscribe('srv', 'a://y', 's1');
    await sut.subscribe('srv', 'a://y', 's1');
    expect(calls).toEqual(['sub a://x', 'sub a://y', 'unsub a://y', 'sub a://y']);
    expect(sut.subscribers('srv', 'a://y')).toEqual(['s1']);
  });

  it('does not register a session the server refused; the next subscriber tries again', async () => {
    const { sut, calls, refuse } = setup();
    refuse('a://x');
    await expect(sut.subscribe('srv', 'a://x', 's1')).rejects.toThrow(/refused/);
    expect(sut.subscribers('srv', 'a://x')).toEqual([]);
    refuse(null);
    await sut.subscribe('srv', 'a://x', 's2');
    expect(calls).toEqual(['sub a://x']);
    expect(sut.subscribers('srv', 'a://x')).toEqual(['s2']);
  });

  it('subscribes a new connection to every URI still held, and only those', async () => {
    const { sut, calls } = setup();
    await sut.subscribe('srv', 'a://x', 's1');
    await sut.subscribe('srv', 'a://y', 's1');
    await sut.subscribe('other', 'a://z', 's1');
    await sut.unsubscribe('srv', 'a://y', 's1');
    calls.length = 0;
    sut.lost('srv');
    await sut.resubscribe('srv');
    expect(calls).toEqual(['sub a://x']);
  });
});
