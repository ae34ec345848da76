import { describe, expect, it } from 'vitest';
import { AppError } from '../http/app-error.js';
import { GENERATED_SECRET_MAX_LENGTH, SECRET_ALPHABETS, generateSecret } from './generate-secret.js';

function counts(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const c of text) m.set(c, (m.get(c) ?? 0) + 1);
  return m;
}

describe('generateSecret', () => {
  it('defaults to 32 alphanumeric characters', () => {
    expect(generateSecret()).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it.each([1, 2, 17, 64, GENERATED_SECRET_MAX_LENGTH])('gives exactly %i characters from the alphabet', (length) => {
    for (const alphabet of Object.values(SECRET_ALPHABETS)) {
      const value = generateSecret({ length, alphabet });
      expect(value).toHaveLength(length);
      for (const c of value) expect(alphabet).toContain(c);
    }
  });

  it('draws every character of the alphabet, uniformly (no modulo bias)', () => {
    // 94 characters: 256 % 94 = 68, so plain `byte % 94` would favour the first 68 characters by 3:2.
    const alphabet = SECRET_ALPHABETS.printable;
    const perChar = 2000;
    const seen = counts(
      Array.from({ length: perChar / 40 }, () => generateSecret({ length: alphabet.length * 40, alphabet })).join(''),
    );
    expect(seen.size).toBe(alphabet.length);
    let chiSquare = 0;
    for (const c of alphabet) chiSquare += ((seen.get(c) ?? 0) - perChar) ** 2 / perChar;
    // 93 degrees of freedom: mean 93; a biased generator scores in the thousands.
    expect(chiSquare).toBeLessThan(200);
  });

  it('discards bytes at or above the largest multiple of the alphabet size', () => {
    const bytes = [255, 0, 254, 1, 253, 2, 252, 0];
    const random = (n: number) => Buffer.from(bytes.splice(0, n));
    // alphabet of 3: byte 255 is rejected; 254 % 3 = 2, 253 % 3 = 1, 252 % 3 = 0
    expect(generateSecret({ length: 7, alphabet: 'abc' }, random)).toBe('acbbcaa');
  });

  it('asks for more random bytes until the value is complete', () => {
    let calls = 0;
    const random = (n: number) => Buffer.alloc(n, ++calls < 3 ? 0xff : 0x00);
    // 0xff is rejected for a 3-letter alphabet, so the first two batches yield nothing.
    expect(generateSecret({ length: 5, alphabet: 'abc' }, random)).toBe('aaaaa');
    expect(calls).toBe(3);
  });

  it.each([
    ['length 0', { length: 0 }, 'length'],
    ['a fractional length', { length: 1.5 }, 'length'],
    ['a length over the maximum', { length: GENERATED_SECRET_MAX_LENGTH + 1 }, 'length'],
    ['a one-letter alphabet', { alphabet: 'a' }, 'alphabet'],
    ['an empty alphabet', { alphabet: '' }, 'alphabet'],
    ['a repeated letter', { alphabet: 'abca' }, 'alphabet'],
    ['a space', { alphabet: 'ab c' }, 'alphabet'],
    ['a control character', { alphabet: 'ab\n' }, 'alphabet'],
    ['non-ASCII letters', { alphabet: 'abé' }, 'alphabet'],
  ])('refuses %s', (_, options, field) => {
    let err: unknown;
    try {
      generateSecret(options);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('validation');
    expect((err as AppError).details?.errors?.[0]?.field).toBe(field);
  });
});
