import { describe, expect, it } from 'vitest';
import { createLineSplitter } from './line-splitter.js';

function collect(maxLineBytes: number) {
  const lines: string[] = [];
  const overflows: { bytes: number; head: string }[] = [];
  const sut = createLineSplitter(
    { maxLineBytes, headBytes: 8 },
    {
      onLine: (b) => lines.push(b.toString('utf8')),
      onOverflow: (bytes, head) => overflows.push({ bytes, head: head.toString('utf8') }),
    },
  );
  return { sut, lines, overflows };
}

describe('createLineSplitter', () => {
  it('splits lines across chunks and strips CR', () => {
    const { sut, lines } = collect(100);
    for (const c of ['ab', 'c\nde', 'f\r\n\ng', 'h']) sut.push(Buffer.from(c));
    sut.end();
    expect(lines).toEqual(['abc', 'def', '', 'gh']);
  });

  it('drops an over-long line, reports its size and head, and goes on', () => {
    const { sut, lines, overflows } = collect(10);
    sut.push(Buffer.from('ok\n0123456'));
    sut.push(Buffer.from('789abcdef'));
    sut.push(Buffer.from('ghij\nnext\n'));
    expect(lines).toEqual(['ok', 'next']);
    expect(overflows).toEqual([{ bytes: 20, head: '01234567' }]);
  });

  it('streams a 50 MB line in 64 KiB chunks without keeping it', () => {
    const { sut, lines, overflows } = collect(1024 * 1024);
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const total = 50 * 1024 * 1024;
    for (let sent = 0; sent < total; sent += chunk.length) sut.push(chunk);
    sut.push(Buffer.from('\n{"jsonrpc":"2.0"}\n'));
    expect(overflows).toHaveLength(1);
    expect(overflows[0]?.bytes).toBe(total);
    expect(lines).toEqual(['{"jsonrpc":"2.0"}']);
  });
});
