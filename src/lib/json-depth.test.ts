import { describe, expect, it } from 'vitest';
import { parseFrame } from '../pipe/jsonrpc.js';
import { exceedsJsonDepth, MAX_JSON_DEPTH } from './json-depth.js';

const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

describe('exceedsJsonDepth', () => {
  it('accepts up to MAX_JSON_DEPTH levels and refuses one more', () => {
    expect(MAX_JSON_DEPTH).toBe(64);
    expect(exceedsJsonDepth(nested(64))).toBe(false);
    expect(exceedsJsonDepth(nested(65))).toBe(true);
    expect(exceedsJsonDepth({ a: { b: [1, { c: null }] }, s: 'x'.repeat(1000) })).toBe(false);
    expect(exceedsJsonDepth('[[[[[[')).toBe(false);
  });

  it('walks 100,000 levels without overflowing the stack, and wide values in linear time', () => {
    expect(exceedsJsonDepth(nested(100_000))).toBe(true);
    expect(exceedsJsonDepth(Array.from({ length: 100_000 }, (_, i) => ({ i, tags: [i] })))).toBe(false);
  });
});

describe('pipe frames', () => {
  it('a frame nested past the limit gets -32600 with its id', () => {
    const frame = `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"arguments":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`;
    const parsed = parseFrame(frame);
    expect(parsed).toMatchObject({ reply: { id: 7, error: { code: -32600, message: expect.stringContaining('nested deeper than 64 levels') } } });
    expect(parseFrame('{"jsonrpc":"2.0","id":8,"method":"ping"}')).toHaveProperty('message');
  });
});
