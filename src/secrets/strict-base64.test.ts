import { describe, expect, it } from 'vitest';
import { decodeStrictBase64 } from './strict-base64.js';

describe('decodeStrictBase64', () => {
  it('decodes canonical base64 of every padding length', () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from([1]), Buffer.from([1, 2]), Buffer.from([1, 2, 3])])
      expect(decodeStrictBase64(bytes.toString('base64'))).toEqual(bytes);
  });

  it.each([
    ['missing padding', 'AQ'],
    ['unknown character', 'AQ?='],
    ['whitespace', 'AQI D'],
    ['url alphabet', 'a-_b'],
    ['non-zero unused bits', 'AR=='],
    ['padding in the middle', 'AQ==AQ=='],
  ])('refuses %s', (_, text) => {
    expect(decodeStrictBase64(text)).toBeUndefined();
  });
});
