import { describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit.js';

describe('group commit', () => {
  it('writes what is submitted together in one group, each caller answered after its write', async () => {
    const groups: number[][] = [];
    const submit = createGroupCommit<number>(async (items) => {
      groups.push(items);
    });
    await Promise.all([submit(1), submit(2), submit(3)]);
    await submit(4);
    expect(groups).toEqual([[1, 2, 3], [4]]);
  });

  it('items submitted while a group is written go in the next group, in order', async () => {
    const groups: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const submit = createGroupCommit<number>(async (items) => {
      groups.push(items);
      if (items.includes(1)) await gate;
    });
    const first = submit(1);
    await new Promise((r) => setImmediate(r));
    const later = [submit(2), submit(3)];
    release();
    await Promise.all([first, ...later]);
    expect(groups).toEqual([[1], [2, 3]]);
  });

  it('a failing item fails only its own caller: the group is written again one by one', async () => {
    const written: number[] = [];
    const submit = createGroupCommit<number>(async (items) => {
      if (items.includes(2)) throw new Error('bad item');
      written.push(...items);
    });
    const results = await Promise.allSettled([submit(1), submit(2), submit(3)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(written).toEqual([1, 3]);
  });
});
