import { maskedEquals } from './mask-fast.js';

interface Slot<V> {
  key: string;
  value: V;
  next: Slot<V> | undefined;
}

/**
 * A map keyed by the masked text last written to MASKED (mask-fast.ts), looked up without making a string:
 * a hash, then a character comparison. Only a new key becomes a string.
 */
export class MaskedMap<V> {
  private readonly slots = new Map<number, Slot<V>>();
  size = 0;

  /** The value for MASKED[0, n) (hash h from maskedHash). */
  get(n: number, h: number): V | undefined {
    for (let s = this.slots.get(h); s; s = s.next) if (maskedEquals(n, s.key)) return s.value;
    return undefined;
  }

  /** Adds a key not present (MASKED[0, n) as a string, hash h from maskedHash) with its value. */
  set(h: number, key: string, value: V): void {
    this.slots.set(h, { key, value, next: this.slots.get(h) });
    this.size++;
  }

  clear(): void {
    this.slots.clear();
    this.size = 0;
  }

  *entries(): Generator<[string, V]> {
    for (const head of this.slots.values()) for (let s: Slot<V> | undefined = head; s; s = s.next) yield [s.key, s.value];
  }
}

export { maskedHash, maskedString, putMasked } from './mask-fast.js';
