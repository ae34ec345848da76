import { describe, expect, it } from 'vitest';
import { cutText } from './cut-text.js';

describe('cutText', () => {
  it('leaves text within the limit alone', () => {
    expect(cutText('short', { unit: 'chars', max: 10 }, '…')).toBe('short');
  });

  it('cuts by UTF-8 bytes between characters, marker included', () => {
    const out = cutText('告警'.repeat(2000), { unit: 'bytes', max: 4096 }, '…(已截断)');
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(4096);
    expect(out.endsWith('…(已截断)')).toBe(true);
    expect(out).not.toContain('\uFFFD');
    expect(Buffer.from(out).toString('utf8')).toBe(out);
  });

  it('never splits a surrogate pair (emoji) when counting characters', () => {
    const out = cutText('🔥'.repeat(100), { unit: 'chars', max: 50 }, '[cut]');
    expect([...out].length).toBeLessThanOrEqual(50);
    expect(out).toMatch(/^(🔥)+\n\[cut\]$/u);
  });

  it('prefers a line break near the end', () => {
    const text = `${'a'.repeat(90)}\n${'b'.repeat(50)}`;
    expect(cutText(text, { unit: 'chars', max: 100 }, '…')).toBe(`${'a'.repeat(90)}\n…`);
  });
});
