import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMAT_SAMPLES, STACK_TRACES } from '../../test/fixtures/logs/generators.js';
import { analysisResult, analyzePart, type AnalyzeOptions } from './analyze.js';
import type { LogSource, ReadOptions } from './entries.js';
import type { EntryFilter } from './filters.js';
import { normalizeLevel, PARSERS } from './formats.js';
import { MAX_LINE_BYTES } from './line-reader.js';
import { resolveLogFiles } from './log-inputs.js';
import { ENTRY, NOT_ENTRY, parseTextBytes, UNDECIDED, type TextHead } from './text-bytes.js';
import { defaultTimeOptions, type TimeOptions } from './timestamps.js';

/**
 * analyze_logs reads `text` logs as bytes (analyze-bytes.ts): its result must be exactly the entry reader's, on the
 * generated logs of every format, with stack traces, time zones, CRLF, bad UTF-8, long lines and filters.
 */
let dir: string;
const zones: TimeOptions[] = [defaultTimeOptions(), { zoneOffsetMin: 330, year: 2024 }, { zoneOffsetMin: -480, year: 2023 }];

/** Text lines with every stack trace after some of them, an error pattern per 7 lines, levels and zones varied. */
function textLog(n: number): string[] {
  const levels = ['INFO', 'info', 'WARN', 'Error', 'DEBUG', '[ERROR]', 'FATAL', 'warning:', 'crit', 'NOTALEVEL'];
  const stamps = ['Z', '', '+02:00', '-0330', '.123Z', ',5', '.123456789+05:30'];
  const traces = Object.values(STACK_TRACES).map((t) => t.slice(1));
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = new Date(Date.UTC(2024, 2, 1) + i * 357).toISOString().slice(0, 19);
    const sep = i % 5 === 0 ? ' ' : 'T';
    const stamp = `${t.slice(0, 10)}${sep}${t.slice(11)}${stamps[i % stamps.length]}`;
    const lead = i % 11 === 0 ? `[${stamp}]` : stamp;
    out.push(`${lead} ${levels[i % levels.length]} ${i % 3 === 0 ? `request ${i} failed after ${i % 97} ms for user u${i % 13}` : `served /api/items/${i} in ${i % 50} ms`}`);
    if (i % 23 === 0) out.push(...traces[i % traces.length]!);
  }
  return out;
}

const files: Record<string, string | Buffer> = {};
let sources: { each: LogSource[]; bigParts: LogSource[]; inline: LogSource[] };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mcps-analyze-bytes-'));
  for (const [format, make] of Object.entries(FORMAT_SAMPLES)) files[`${format}.log`] = `${make(3000).join('\n')}\n`;
  // More than one read chunk (1 MB: fileChunks), so lines and stack traces are cut across chunks.
  const big = textLog(30_000);
  files['big.log'] = `${big.join('\n')}\n`;
  files['big-crlf.log'] = `${big.join('\r\n')}\r\n`;
  files['big.log.gz'] = gzipSync(`${big.join('\n')}`);
  files['no-final-newline.log'] = big.slice(0, 500).join('\n');
  files['starts-with-continuation.log'] = `  at nowhere\nplain words\n${big.slice(0, 300).join('\n')}\n`;
  files['odd.log'] = Buffer.concat([
    Buffer.from(`${big.slice(0, 200).join('\n')}\n`),
    Buffer.from('2024-03-01T12:00:00Z ERROR bad byte \xff\xfe here\n', 'latin1'),
    Buffer.from('2024-03-01T12:00:01Z ERROR line\u2028separator\n2024-03-01T12:00:02Z ERROR para\u2029separator\n2024-03-01T12:00:03Z INFO \rcarriage\n'),
    Buffer.from('2024-03-01T12:00:04Z ERROR cr inside\rmessage\n2024-03-01T12:00:05Z ERROR caf\u00e9 \u2014 non-ASCII \uFFFD kept\n2024-03-01T12:00:06\u00a0INFO nbsp\n'),
    Buffer.from('2024-03-01T12:00:07Z constructor odd level word\n2024-03-01T12:00:08Z INFORMATIONAL long word\n2024-03-01T12:00:09Z ERROR a\n\n\n'),
    Buffer.from(`${big.slice(200, 400).join('\n')}\n`),
  ]);
  files['long-line.log'] = `${big.slice(0, 50).join('\n')}\n2024-03-01T12:00:00Z ERROR ${'x'.repeat(MAX_LINE_BYTES + 10)}\n  at continuation\n${big.slice(50, 100).join('\n')}\n`;
  // More distinct error patterns than are kept (10,000), and a long stack trace (over 200 lines, over 2000 characters).
  const word = (i: number) => {
    let w = '';
    do {
      w += String.fromCharCode(97 + (i % 26));
      i = Math.floor(i / 26);
    } while (i);
    return w;
  };
  files['many-groups.log'] = `${Array.from({ length: 10_300 }, (_, i) => `2024-03-01T12:00:00Z ERROR failure ${word(i)} seen`).join('\n')}\n`;
  // The same messages again and again (a message seen with exactly the same bytes skips masking): past the 10,000
  // kept groups (then counted as ungrouped again), at another level, with CRLF, and over 1 KB (never cached).
  const repeated = Array.from({ length: 10_200 }, (_, i) => `failure ${word(i % 10_100)} seen${i % 3 ? '' : ` ${'y'.repeat(1100 + (i % 2))}`}`);
  files['repeats.log'] = [0, 1, 2]
    .map((round) => repeated.map((m, i) => `2024-03-01T12:0${round}:${String(i % 60).padStart(2, '0')}Z ${['ERROR', 'FATAL', 'ERROR'][round]} ${m}${round === 2 ? '\r' : ''}\n${i % 7 ? '' : '\tat x.y(Z.java:1)\n'}`).join(''))
    .join('');
  files['long-trace.log'] = `2024-03-01T12:00:00Z ERROR deep\n${Array.from({ length: 250 }, (_, i) => `\tat frame${i}(F.java:${i})`).join('\n')}\n2024-03-01T12:00:01Z ERROR deep\n`;
  for (const [name, body] of Object.entries(files)) writeFileSync(path.join(dir, name), body);
  const named = async (...specs: string[]) => (await resolveLogFiles(specs, [dir])).map((file): LogSource => ({ kind: 'file', file }));
  const all = await named(...Object.keys(files));
  sources = {
    each: all,
    bigParts: [0, 1, 2].map((index) => {
      const file = all.find((s) => s.kind === 'file' && s.file.name === 'big.log')!;
      const size = file.kind === 'file' ? file.file.size : 0;
      const cuts = [0, Math.floor(size / 3), Math.floor((2 * size) / 3), size];
      return { ...file, part: { index, start: cuts[index]!, end: cuts[index + 1]! } } as LogSource;
    }),
    inline: [{ kind: 'text', name: 'inline', text: files['odd.log']!.toString() }, { kind: 'text', name: 'inline2', text: textLog(2000).join('\n') }],
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function both(list: LogSource[], opt: ReadOptions, filter: EntryFilter = {}) {
  const o: AnalyzeOptions = { filter, topErrors: 50 };
  const bytes = analysisResult([await analyzePart(list, opt, o)], o);
  const entries = analysisResult([await analyzePart(list, opt, o, false)], o);
  return { bytes, entries };
}

describe('analyze_logs read as bytes equals the entry reader', () => {
  it.each(zones.map((time, i) => [i, time] as const))('on every generated file, one at a time and all together (time options %i)', async (_i, time) => {
    for (const source of sources.each) {
      const { bytes, entries } = await both([source], { time });
      expect(bytes, source.kind === 'file' ? source.file.name : '').toEqual(entries);
    }
    const { bytes, entries } = await both(sources.each, { time });
    expect(bytes).toEqual(entries);
    expect(entries.sources.find((s) => s.name === 'big.log')!.format).toBe('text');
    expect(entries.top_errors.groups).toBe(10_000);
    expect(entries.notes.join(' ')).toMatch(/fell outside.*not valid UTF-8.*|not valid UTF-8.*fell outside/);
  });

  it('on parts of a file, inline text, a named format and filters', async () => {
    const time = zones[1]!;
    for (const list of [sources.bigParts, sources.inline]) expect((await both(list, { time })).bytes).toEqual((await both(list, { time })).entries);
    const big = sources.each.filter((s) => s.kind === 'file' && s.file.name.startsWith('big'));
    const named = await both(big, { time, format: 'text' });
    expect(named.bytes).toEqual(named.entries);
    for (const filter of [{ levels: ['error' as const, 'fatal' as const] }, { from: '2024-03-01T01:00:00Z', to: '2024-03-01T02:00:00Z' }, { text: 'failed' }]) {
      const { bytes, entries } = await both(big, { time }, filter);
      expect(bytes, JSON.stringify(filter)).toEqual(entries);
      expect(entries.matched).toBeGreaterThan(0);
      expect(entries.matched).toBeLessThan(entries.entries);
    }
  });

  it('counts repeated error messages in the pass that reads them, with passes interleaved on one thread', async () => {
    // Each message's group is remembered with the pass that last saw it (analyze-tally.ts): two passes over the same
    // messages at once must each count in their own groups, as each alone.
    const repeats = sources.each.filter((s) => s.kind === 'file' && s.file.name === 'repeats.log');
    const o: AnalyzeOptions = { filter: {}, topErrors: 50 };
    const opt = { time: zones[0]! };
    const alone = analysisResult([await analyzePart(repeats, opt, o, false)], o);
    const together = await Promise.all([analyzePart(repeats, opt, o), analyzePart([...repeats, ...repeats], opt, o)]);
    expect(analysisResult([together[0]], o)).toEqual(alone);
    expect(analysisResult([together[1]], o).top_errors.items[0]!.count).toBe(2 * alone.top_errors.items[0]!.count);
  });

  it('keeps the first example of a group with its stack trace (200 lines, 2000 characters at most)', async () => {
    const { bytes } = await both(sources.each.filter((s) => s.kind === 'file' && s.file.name === 'long-trace.log'), { time: zones[0]! });
    const deep = bytes.top_errors.items[0]!;
    expect(deep.count).toBe(2);
    expect(deep.example.length).toBe(2000);
    expect(deep.example).toMatch(/^2024-03-01T12:00:00Z ERROR deep\n\tat frame0\(F\.java:0\)\n/);
  });
});

describe('parseTextBytes', () => {
  it('reads what PARSERS.text reads, or leaves the line to it', () => {
    const lines = [...textLog(3000), ...Object.values(FORMAT_SAMPLES).flatMap((make) => make(200)), '2024-03-01T12:00:00 UTC INFO z', '2024-03-01T12:00:00 +0200 INFO z', '2024-03-01T12:00:00.1234567890 INFO z', '2024-03-01T12:00:00Zx INFO q', '2024-03-01T12:00:00+02:0 INFO q', '2024-03-01T12:00:00 E short', '2024-03-01T12:00:00 INFO', '2024-03-01T12:00:00 INFO msg\rmore', '0024-03-01T12:00:00 INFO old', '2024-13-45T25:61:61 INFO odd'];
    const head: TextHead = { ts: 0, level: null, message: 0 };
    const seen = new Set<number>();
    for (const time of zones) {
      for (const line of lines) {
        const b = Buffer.from(`..${line}\n`);
        const r = parseTextBytes(b, 2, b.length - 1, true, time, normalizeLevel, head);
        seen.add(r);
        if (r === UNDECIDED) continue;
        const parsed = PARSERS.text(line, time);
        expect(r === ENTRY ? { ts: head.ts, level: head.level, message: b.toString('utf8', head.message, b.length - 1) } : null, line).toEqual(parsed);
      }
    }
    expect([...seen].sort()).toEqual([UNDECIDED, NOT_ENTRY, ENTRY].sort());
  });

  it('reads the second again when any one of its 19 bytes differs from the line before', () => {
    // The second of the line before is reused when its bytes are the same (compared four at a time, then the last three).
    const base = '2019-04-16T13:27:48';
    const head: TextHead = { ts: 0, level: null, message: 0 };
    const time = zones[0]!;
    for (let i = 0; i < base.length; i++) {
      const digit = base[i]! >= '0' && base[i]! <= '9';
      const changed = `${base.slice(0, i)}${digit ? String((Number(base[i]) + 1) % 10) : base[i] === 'T' ? ' ' : base[i]}${base.slice(i + 1)}`;
      for (const line of [`${base}.5Z INFO a`, `${changed}.5Z INFO b`]) {
        const b = Buffer.from(`.${line}`);
        expect(parseTextBytes(b, 1, b.length, false, time, normalizeLevel, head), line).toBe(ENTRY);
        expect(head.ts, line).toBe(PARSERS.text(line, time)!.ts);
      }
    }
  });
});
