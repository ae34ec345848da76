import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lineChunks } from './line-chunks.js';
import { lineTextAt, lineTextEnd, MAX_LINE_BYTES, newReadStats, readLines } from './line-reader.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mcps-line-chunks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function* streamOf(bytes: Buffer): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += 256 * 1024) yield bytes.subarray(at, at + 256 * 1024);
}

/** The texts and counts the log reader gives for these bytes. */
async function reader(bytes: Buffer) {
  const stats = newReadStats();
  const texts: string[] = [];
  for await (const batch of readLines(streamOf(bytes), stats, 'x')) texts.push(...batch.map((l) => l.text));
  return { texts, stats };
}

/** The same from lineChunks, each line read by the rule the masking threads apply. */
async function chunked(file: string, readBytes: number) {
  const stats = newReadStats();
  const texts: string[] = [];
  let biggest = 0;
  for await (const { chunk } of lineChunks(file, readBytes)) {
    biggest = Math.max(biggest, chunk.length);
    for (let at = 0, nl = chunk.indexOf(10); nl !== -1; at = nl + 1, nl = chunk.indexOf(10, at)) {
      const cut = nl - at > MAX_LINE_BYTES;
      texts.push(lineTextAt(chunk, at, lineTextEnd(chunk, at, nl, cut), stats, cut));
    }
  }
  return { texts, stats, biggest };
}

describe('lineChunks', () => {
  it('gives the lines of the log reader whatever the read size, long lines cut at 10 MB in bounded chunks', { timeout: 60_000 }, async () => {
    const line = (n: number, end = '\n') => Buffer.concat([Buffer.alloc(n, 'y'), Buffer.from(end)]);
    const bytes = Buffer.concat([
      Buffer.from('first\r\n'), line(MAX_LINE_BYTES + 5, '\r\n'), line(MAX_LINE_BYTES), line(MAX_LINE_BYTES - 1, '\r\n'), line(MAX_LINE_BYTES + 1),
      Buffer.from([0x6d, 0x69, 0x64, 0xff, 10]), line(MAX_LINE_BYTES + 3 * (1 << 20)), Buffer.from('tail without newline'),
    ]);
    const file = path.join(dir, 'long.log');
    writeFileSync(file, bytes);
    const want = await reader(bytes);
    expect(want.stats.cutLines).toBe(3);
    for (const readBytes of [1 << 20, 3 * (1 << 20) + 7, MAX_LINE_BYTES - 3]) {
      const got = await chunked(file, readBytes);
      expect(got.stats).toEqual({ ...want.stats, bytes: 0 });
      expect(want.stats.invalidUtf8Lines).toBe(1);
      expect(got.texts.length).toBe(want.texts.length);
      expect(got.biggest).toBeLessThanOrEqual(MAX_LINE_BYTES + 1 + readBytes);
      got.texts.forEach((t, i) => expect(t === want.texts[i], `line ${i + 1}`).toBe(true));
    }
  });
});
