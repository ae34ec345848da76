import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createScopedStore } from './scoped-store.js';

describe('createScopedStore', () => {
  it('gives each run its own store through awaits and timers, also while runs overlap and one ends first', async () => {
    const store = createScopedStore<string>();
    const seen: string[] = [];
    const long = store.run('long', async () => {
      await sleep(30);
      seen.push(`long:${store.get()}`);
      await new Promise((r) => setTimeout(r, 10));
      seen.push(`long:${store.get()}`);
    });
    const short = store.run('short', async () => {
      await sleep(5);
      seen.push(`short:${store.get()}`);
    });
    await short;
    // The short run is over and the long one still runs: the storage must stay on for it.
    expect(store.running).toBe(1);
    await long;
    expect(seen).toEqual(['short:short', 'long:long', 'long:long']);
    expect(store.running).toBe(0);
    expect(store.get()).toBeUndefined();
  });

  it('works again after it was switched off, and a run that throws or rejects still ends', async () => {
    const store = createScopedStore<number>();
    await store.run(1, async () => sleep(1));
    expect(store.running).toBe(0);
    expect(store.run(2, () => store.get())).toBe(2);
    expect(() =>
      store.run(3, () => {
        throw new Error('sync failure');
      }),
    ).toThrow('sync failure');
    await expect(store.run(4, async () => Promise.reject(new Error('async failure')))).rejects.toThrow('async failure');
    expect(store.running).toBe(0);
    expect(await store.run(5, async () => (await sleep(1), store.get()))).toBe(5);
    // A thenable that is not a native promise keeps the storage on until it settles too.
    let settle!: () => void;
    const underlying = new Promise<void>((r) => (settle = r));
    const thenable = { then: (ok: () => void) => void underlying.then(ok) };
    const pending = store.run(6, () => thenable);
    await sleep(5);
    expect(store.running).toBe(1);
    settle();
    await pending;
    await sleep(1);
    expect(store.running).toBe(0);
  });
});
