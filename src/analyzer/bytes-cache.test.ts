import { describe, expect, it } from 'vitest';
import { BYTES_KEY_MAX, BytesCache, hashBytes } from './bytes-cache.js';

/** The exact-bytes cache that lets analyze_logs skip masking an error message it has seen: never a wrong value. */
describe('BytesCache', () => {
  it('finds a key only with exactly its bytes, wherever they sit in a buffer', () => {
    const cache = new BytesCache<string>();
    const b = Buffer.from('xx connection refused by 10.0.0.1 yy');
    expect(cache.get(b, 3, 33)).toBeUndefined();
    cache.set(b, 3, 33, 'refused');
    const elsewhere = Buffer.from('....connection refused by 10.0.0.1');
    expect(cache.get(elsewhere, 4, elsewhere.length)).toBe('refused');
    // One byte different, one byte shorter or longer: another key.
    const other = Buffer.from('connection refused by 10.0.0.2');
    expect(cache.get(other, 0, other.length)).toBeUndefined();
    expect(cache.get(elsewhere, 4, elsewhere.length - 1)).toBeUndefined();
    expect(cache.get(b, 3, 34)).toBeUndefined();
    // The empty key is a key like any other.
    expect(cache.get(b, 0, 0)).toBeUndefined();
    cache.set(b, 0, 0, 'empty');
    expect(cache.get(other, 5, 5)).toBe('empty');
  });

  it('keeps null as a value, never keeps a key over BYTES_KEY_MAX bytes', () => {
    const cache = new BytesCache<string | null>();
    const b = Buffer.from('a'.repeat(BYTES_KEY_MAX + 1));
    cache.get(b, 0, 3);
    cache.set(b, 0, 3, null);
    expect(cache.get(b, 0, 3)).toBeNull();
    expect(cache.get(b, 0, BYTES_KEY_MAX + 1)).toBeUndefined();
    cache.set(b, 0, BYTES_KEY_MAX + 1, 'long');
    expect(cache.get(b, 0, BYTES_KEY_MAX + 1)).toBeUndefined();
    expect(cache.get(b, 0, BYTES_KEY_MAX)).toBeUndefined();
  });

  it('returns the right value for 300,000 keys sharing prefixes (hash collisions chained, starts over when full)', () => {
    const cache = new BytesCache<number>();
    const key = (i: number) => Buffer.from(`request ${i % 1000} failed for user u${Math.floor(i / 1000)} ${'x'.repeat(i % 40)}`);
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 300_000; i++) {
        const b = key(i);
        const v = cache.get(b, 0, b.length);
        if (v === undefined) cache.set(b, 0, b.length, i);
        else expect(v).toBe(i);
      }
    }
    // Starting over bounded it: most second-round lookups missed, and none returned another key's value (checked above).
    expect(cache.misses).toBeGreaterThan(300_000);
    // Distinct keys: distinct hashes almost always (30 bits).
    const hashes = new Set(Array.from({ length: 50_000 }, (_, i) => key(i)).map((b) => hashBytes(b, 0, b.length)));
    expect(hashes.size).toBeGreaterThan(49_990);
  });

  it('tells apart keys of the same hash and length that differ only inside a 4-byte word or only in the last bytes', () => {
    // Keys are compared four bytes at a time, then byte by byte: only keys whose hashes collide reach the comparison,
    // so collisions are searched for among keys whose varying bytes sit in a word (length 12) or in the tail (length 11).
    const layouts = [(x: number[]) => [107, 101, 121, ...x, 45, 45, 45, 45, 45, 45], (x: number[]) => [102, 105, 120, 101, 100, 45, 112, 45, ...x]];
    for (const layout of layouts) {
      const key = (i: number) => Buffer.from(layout([i & 255, (i >> 8) & 255, (i >> 16) & 255]));
      const byHash = new Map<number, number>();
      const pairs: [number, number][] = [];
      for (let i = 0; i < 300_000 && pairs.length < 3; i++) {
        const b = key(i);
        const h = hashBytes(b, 0, b.length);
        const j = byHash.get(h);
        if (j === undefined) byHash.set(h, i);
        else pairs.push([j, i]);
      }
      expect(pairs.length).toBeGreaterThan(0);
      for (const [i, j] of pairs) {
        const cache = new BytesCache<number>();
        const [a, b] = [key(i), key(j)];
        expect(a.length).toBe(b.length);
        cache.get(a, 0, a.length);
        cache.set(a, 0, a.length, i);
        expect(cache.get(b, 0, b.length)).toBeUndefined();
        cache.set(b, 0, b.length, j);
        expect([cache.get(a, 0, a.length), cache.get(b, 0, b.length)]).toEqual([i, j]);
      }
    }
  });
});
