import { viewOf } from './byte-view.js';

/** Keys longer than this are not cached (the caller takes its slow path). */
export const BYTES_KEY_MAX = 1024;
/** Entries kept, and bytes of keys kept; when either is reached the cache starts over. */
const ENTRIES_MAX = 1 << 16;
const SLAB_BYTES = 4 * 1024 * 1024;

/**
 * A bounded map from exact byte strings (b[from, to), at most BYTES_KEY_MAX bytes) to a value, looked up without
 * making a string or a Buffer: a hash of the bytes, then a byte comparison with the key kept in one slab. Keys are
 * copied into the slab; when it is full (or ENTRIES_MAX keys are kept) everything is dropped and it starts over.
 * Used to skip masking an error message already seen with exactly the same bytes (analyze-tally.ts).
 */
export class BytesCache<V> {
  private readonly heads = new Map<number, number>();
  private readonly start = new Int32Array(ENTRIES_MAX);
  private readonly length = new Int32Array(ENTRIES_MAX);
  private readonly next = new Int32Array(ENTRIES_MAX);
  private readonly values: V[] = [];
  private readonly slab = Buffer.allocUnsafe(SLAB_BYTES);
  private readonly slabView = new DataView(this.slab.buffer, this.slab.byteOffset, SLAB_BYTES);
  private used = 0;
  private size = 0;
  /** The hash of the key last looked up (set then uses it). */
  private hash = 0;
  hits = 0;
  misses = 0;

  /** The value kept for b[from, to), or undefined (a key too long is never kept). */
  get(b: Uint8Array, from: number, to: number): V | undefined {
    const n = to - from;
    if (n > BYTES_KEY_MAX) return undefined;
    const h = hashBytes(b, from, to);
    this.hash = h;
    for (let e = this.heads.get(h) ?? -1; e !== -1; e = this.next[e]!) {
      if (this.length[e] === n && this.holds(e, b, from, n)) {
        this.hits++;
        return this.values[e];
      }
    }
    this.misses++;
    return undefined;
  }

  /** Keeps b[from, to) (just looked up with `get` and not found) with its value. */
  set(b: Uint8Array, from: number, to: number, value: V): void {
    const n = to - from;
    if (n > BYTES_KEY_MAX) return;
    if (this.size === ENTRIES_MAX || this.used + n > SLAB_BYTES) this.clear();
    const e = this.size++;
    this.start[e] = this.used;
    this.length[e] = n;
    this.slab.set(b.subarray(from, to), this.used);
    this.used += n;
    this.values[e] = value;
    this.next[e] = this.heads.get(this.hash) ?? -1;
    this.heads.set(this.hash, e);
  }

  /** True when key e is b[from, from + n) (its length is n): compared four bytes at a time. */
  private holds(e: number, b: Uint8Array, from: number, n: number): boolean {
    const v = viewOf(b);
    const s = this.start[e]!;
    let i = 0;
    for (; i + 4 <= n; i += 4) if (v.getInt32(from + i, true) !== this.slabView.getInt32(s + i, true)) return false;
    for (; i < n; i++) if (b[from + i] !== this.slab[s + i]) return false;
    return true;
  }

  clear(): void {
    this.heads.clear();
    this.values.length = 0;
    this.used = 0;
    this.size = 0;
  }
}

/** A 30-bit hash of b[from, to) (a small integer: a Map key V8 does not box), four bytes (one load) at a time. */
export function hashBytes(b: Uint8Array, from: number, to: number): number {
  const v = viewOf(b);
  let h = (to - from) | 0;
  let i = from;
  for (; i + 4 <= to; i += 4) {
    h = Math.imul(h ^ v.getInt32(i, true), 0x9e3779b1);
    h ^= h >>> 15;
  }
  for (; i < to; i++) {
    h = Math.imul(h ^ b[i]!, 0x9e3779b1);
    h ^= h >>> 15;
  }
  h ^= h >>> 13;
  return (Math.imul(h, 0x85ebca6b) ^ (h >>> 16)) & 0x3fffffff;
}
