import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LABELLED_KINDS, labelledLines } from '../../test/fixtures/logs/generators.js';
import { DEFAULT_DRAIN, Drain } from './drain.js';
import { mineFileParallel } from './drain-parallel.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mcps-drain-parallel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Drain.add over each line of `text` (split at newlines, a last line without one included), in order. */
function sequential(text: string, drain = new Drain(DEFAULT_DRAIN)) {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const assigned = lines.map((l) => drain.add(l)?.id ?? null);
  return { drain, assigned };
}

async function parallel(text: string, o: { chunkBytes?: number; dictMax?: number; threads?: number } = {}, drain = new Drain(DEFAULT_DRAIN)) {
  const file = path.join(dir, `in-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(file, text);
  const assigned: (string | null)[] = [];
  const read = await mineFileParallel(file, drain, { threads: 2, ...o, onLine: (i, t) => (assigned[i] = t?.id ?? null) });
  return { drain, assigned, read };
}

const mixed = (): string => {
  const kinds = Object.keys(LABELLED_KINDS);
  const lines = kinds.flatMap((k, i) => labelledLines(k, 800, 40 + i).map((l) => l.text));
  // Non-ASCII, invalid UTF-8 is not possible in a JS string, so: CRLF, blank and space-only lines, quotes, tabs, long lines.
  lines.splice(5, 0, 'Ünïcödé user jörg logged in from 10.0.0.1', '', '   ', 'line with CR at the end 42\r', '"quoted" value "x y"\tand tab 7');
  lines.splice(100, 0, `long ${'word '.repeat(1200)}end 1`, '日本語のメッセージ 123');
  return `${lines.join('\n')}\n`;
};

describe('mineFileParallel (masking on worker threads)', () => {
  it('gives the templates, counts, examples and per-line assignment of Drain.add in order', async () => {
    const text = mixed();
    const want = sequential(text);
    const got = await parallel(text, { chunkBytes: 4096 });
    expect(got.read.lines).toBe(want.assigned.length);
    expect(got.assigned).toEqual(want.assigned);
    expect(got.drain.state()).toEqual(want.drain.state());
  });

  it('stays the same when a worker numbering starts over and when Drain forgets its masked-text cache (past 50,000 texts)', async () => {
    // Letters-only words are not masked: every line has its own masked text.
    const letters = (i: number) => Array.from({ length: 4 }, (_, k) => String.fromCharCode(97 + (Math.floor(i / 26 ** k) % 26))).join('');
    // `xx bb cc dd` joins t1, which then becomes `xx <*> <*> dd`; `xx bb cc ee` makes t2. Once Drain has forgotten
    // what it placed, `xx bb cc dd` again is closer to t2 (3 of 4 tokens) than to t1: a memo kept past that would say t1.
    const lines = ['xx bb cc dd', 'xx qq rr dd', 'xx bb cc ee'];
    for (let i = 0; i < 60_000; i++) lines.push(`alpha ${letters(i)} beta gamma ${i % 7}`, `delta epsilon ${i % 11} zeta`);
    lines.push('xx bb cc dd');
    const text = `${lines.join('\n')}\nlast line without newline 5`;
    const want = sequential(text);
    expect(want.drain.seenEpoch).toBeGreaterThan(0);
    expect(want.assigned.at(-2)).not.toBe(want.assigned[0]);
    // One thread: the line's first and last time go to the same worker, so only Drain's epoch can say the memo is stale.
    for (const o of [{ dictMax: 1000 }, { threads: 1 }]) {
      const got = await parallel(text, { chunkBytes: 64 * 1024, ...o });
      expect(got.drain.seenEpoch).toBe(want.drain.seenEpoch);
      expect(got.assigned).toEqual(want.assigned);
      expect(got.drain.state()).toEqual(want.drain.state());
    }
  });

  it('extends a saved model as Drain.add does, with one thread too', async () => {
    const first = labelledLines('application', 500, 5).map((l) => l.text);
    const later = `${labelledLines('application', 500, 6).map((l) => l.text).join('\n')}\n`;
    const base = new Drain(DEFAULT_DRAIN);
    for (const l of first) base.add(l);
    const want = sequential(later, new Drain(DEFAULT_DRAIN, structuredClone(base.state())));
    const got = await parallel(later, { threads: 1, chunkBytes: 2048 }, new Drain(DEFAULT_DRAIN, structuredClone(base.state())));
    expect(got.assigned).toEqual(want.assigned);
    expect(got.drain.state()).toEqual(want.drain.state());
  });

  it('reads an empty file as no lines', async () => {
    const got = await parallel('');
    expect(got.read.lines).toBe(0);
    expect(got.drain.templates).toEqual([]);
  });
});
