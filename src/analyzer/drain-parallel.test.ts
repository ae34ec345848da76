import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LABELLED_KINDS, labelledLines } from '../../test/fixtures/logs/generators.js';
import { DEFAULT_DRAIN, Drain } from './drain.js';
import { createParallelMiner, type ParallelMinerOptions } from './drain-parallel.js';
import { readEntries } from './entries.js';
import { newReadStats } from './line-reader.js';
import { defaultTimeOptions } from './timestamps.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mcps-drain-parallel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const time = defaultTimeOptions();

function write(text: string): string {
  const file = path.join(dir, `in-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(file, text);
  return file;
}

/** Drain.add over each entry the log reader gives (format raw: each line), in order. */
async function sequential(text: string, drain = new Drain(DEFAULT_DRAIN)) {
  const file = write(text);
  const stats = newReadStats();
  const assigned: (string | null)[] = [];
  for await (const batch of readEntries([{ kind: 'file', file: { path: file, name: 'x', size: text.length } }], { format: 'raw', time }, stats, [])) {
    for (const e of batch) assigned.push(drain.add(e.message, e.ts)?.id ?? null);
  }
  return { drain, assigned, stats };
}

async function parallel(text: string, o: ParallelMinerOptions = {}, drain = new Drain(DEFAULT_DRAIN)) {
  const file = write(text);
  const stats = newReadStats();
  const assigned: (string | null)[] = [];
  const miner = createParallelMiner(drain, { threads: 2, ...o });
  try {
    await miner.mineFile(file, { format: 'raw', time, stats, onEntry: (line, t) => (assigned[line - 1] = t?.id ?? null) });
  } finally {
    await miner.close();
  }
  return { drain, assigned, stats };
}

const mixed = (): string => {
  const kinds = Object.keys(LABELLED_KINDS);
  const lines = kinds.flatMap((k, i) => labelledLines(k, 800, 40 + i).map((l) => l.text));
  // Non-ASCII, invalid UTF-8 is not possible in a JS string, so: CRLF, blank and space-only lines, quotes, tabs, long lines.
  lines.splice(5, 0, 'Ünïcödé user jörg logged in from 10.0.0.1', '', '   ', 'line with CR at the end 42\r', '"quoted" value "x y"\tand tab 7');
  lines.splice(100, 0, `long ${'word '.repeat(1200)}end 1`, '日本語のメッセージ 123');
  return `${lines.join('\n')}\n`;
};

describe('createParallelMiner (reading and masking on worker threads)', () => {
  it('gives the templates, counts, examples, read counts and per-line assignment of Drain.add over the reader\'s entries', async () => {
    const text = mixed();
    const want = await sequential(text);
    const got = await parallel(text, { chunkBytes: 4096 });
    expect(got.stats).toEqual(want.stats);
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
    const want = await sequential(text);
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
    const want = await sequential(later, new Drain(DEFAULT_DRAIN, structuredClone(base.state())));
    const got = await parallel(later, { threads: 1, chunkBytes: 2048 }, new Drain(DEFAULT_DRAIN, structuredClone(base.state())));
    expect(got.assigned).toEqual(want.assigned);
    expect(got.drain.state()).toEqual(want.drain.state());
  });

  it('reads an empty file as no lines', async () => {
    const got = await parallel('');
    expect(got.stats.lines).toBe(0);
    expect(got.drain.templates).toEqual([]);
  });
});
