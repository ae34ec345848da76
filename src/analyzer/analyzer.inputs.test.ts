import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { FORMAT_SAMPLES, STACK_TRACES } from '../../test/fixtures/logs/generators.js';
import { analyzeLogs } from './analyze.js';
import type { LogSource } from './entries.js';
import { resolveLogFiles } from './log-inputs.js';
import { MAX_LINE_BYTES } from './line-reader.js';
import { searchLogs } from './search.js';
import { defaultTimeOptions } from './timestamps.js';

let root: string;
let outside: string;
const time = defaultTimeOptions();
const opt = { time };
const files = async (...specs: string[]): Promise<LogSource[]> => (await resolveLogFiles(specs, [root])).map((file) => ({ kind: 'file', file }));
const analyze = async (sources: LogSource[], o: Partial<typeof opt> & { format?: 'raw' } = {}) => analyzeLogs(sources, { ...opt, ...o }, { filter: {}, topErrors: 5 });

beforeAll(() => {
  const base = mkdtempSync(path.join(tmpdir(), 'mcps-analyzer-'));
  root = path.join(base, 'downloads');
  outside = path.join(base, 'elsewhere');
  mkdirSync(path.join(root, 'nginx'), { recursive: true });
  mkdirSync(outside);
  for (const [format, gen] of Object.entries(FORMAT_SAMPLES)) writeFileSync(path.join(root, `${format}.log`), gen(120).join('\n') + '\n');
  writeFileSync(path.join(root, 'nginx', 'access.log.gz'), gzipSync(FORMAT_SAMPLES.access(200).join('\n')));
  writeFileSync(path.join(root, 'truncated.log.gz'), gzipSync(FORMAT_SAMPLES.text(5000).join('\n')).subarray(0, 2000));
  writeFileSync(path.join(outside, 'secret.log'), 'root password is hunter2\n');
  symlinkSync(path.join(outside, 'secret.log'), path.join(root, 'escape.log'));
  symlinkSync(path.join(root, 'text.log'), path.join(root, 'inside-link.log'));
  execFileSync('mkfifo', [path.join(root, 'pipe.log')]);
});

describe('log inputs', () => {
  it('detects every format per file, reads .gz, and keeps times, levels and access statistics', async () => {
    const r = await analyze(await files('*.log', 'nginx/*.gz'));
    const formats = Object.fromEntries(r.sources.map((s) => [s.name, s.format]));
    expect(formats).toMatchObject({ 'json.log': 'json', 'logfmt.log': 'logfmt', 'access.log': 'access', 'syslog5424.log': 'syslog5424', 'syslog3164.log': 'syslog3164', 'text.log': 'text', 'nginx/access.log.gz': 'access' });
    expect(r.levels.error).toBeGreaterThan(60);
    expect(r.top_errors.items[0]!.pattern).toBe('db timeout after <*> ms');
    expect(r.access?.status_classes['5xx']).toBe(32);
    expect(r.access?.latency_ms?.['p50']).toBeGreaterThan(0);
  });

  it('a directory is every file in it; a symlink that stays inside is followed', async () => {
    expect((await resolveLogFiles(['nginx'], [root])).map((f) => f.name)).toEqual(['nginx/access.log.gz']);
    expect((await resolveLogFiles(['inside-link.log'], [root]))[0]!.name).toBe('text.log');
  });

  it.each([
    ['../elsewhere/secret.log', /outside the log roots/],
    ['/etc/passwd', /outside the log roots/],
    ['escape.log', /outside the log roots/],
    ['pipe.log', /not a regular file/],
    ['missing.log', /no such file/],
    ['*.nothing', /no file matches/],
  ])('refuses %s with a clear error', async (spec, message) => {
    await expect(resolveLogFiles([spec], [root])).rejects.toThrow(message);
  });

  it('a truncated gzip file is a clear error, not a partial result', async () => {
    await expect(analyze(await files('truncated.log.gz'))).rejects.toMatchObject({ code: 'unprocessable', message: expect.stringMatching(/truncated/) });
  });

  it('a cancelled call stops reading', async () => {
    const abort = new AbortController();
    abort.abort();
    await expect(analyzeLogs(await files('text.log'), { ...opt, signal: abort.signal }, { filter: {}, topErrors: 1 })).rejects.toThrow(/cancelled/);
  });

  it('binary data is refused unless a format is named', async () => {
    const bin = String.fromCharCode(...Array.from({ length: 3000 }, (_, i) => i % 32));
    await expect(analyze([{ kind: 'text', name: 'blob', text: bin }])).rejects.toThrow(/looks binary/);
  });

  it('a line over 10 MB is cut and reported; invalid UTF-8 is tolerated and reported', async () => {
    const big = `2024-03-01T00:00:00Z ERROR ${'x'.repeat(MAX_LINE_BYTES + 10)}\n2024-03-01T00:00:01Z INFO after`;
    writeFileSync(path.join(root, 'big.log'), big);
    writeFileSync(path.join(root, 'latin1.log'), Buffer.concat([Buffer.from('2024-03-01T00:00:00Z INFO caf'), Buffer.from([0xe9]), Buffer.from('\n2024-03-01T00:00:01Z ERROR ok\n')]));
    const r = await analyze(await files('big.log', 'latin1.log'));
    expect(r.entries).toBe(4);
    expect(r.notes.join(' ')).toMatch(/1 line\(s\) longer than 10 MB were cut/);
    expect(r.notes.join(' ')).toMatch(/1 line\(s\) were not valid UTF-8/);
  });
});

describe('entries', () => {
  it('keeps Java, Python, Node and Go stack traces with the entry that started them', async () => {
    const text = Object.values(STACK_TRACES).flat().join('\n');
    const r = await analyzeLogs([{ kind: 'text', name: 't', text }], opt, { filter: {}, topErrors: 10 });
    expect(r.entries).toBe(4);
    expect(r.levels).toMatchObject({ error: 3, fatal: 1 });
    const examples = r.top_errors.items.map((i) => i.example);
    expect(examples.find((e) => e.startsWith('2024-03-01T12:00:00Z'))).toContain('Caused by: java.io.IOException');
    expect(examples.find((e) => e.includes('Traceback'))).toContain('ValueError: bad value');
    expect(examples.find((e) => e.includes('goroutine 1'))).toContain('main.go:8');
  });

  it('times carry their zone; times without one use the timezone input; filters use them', async () => {
    const text = ['2024-03-01T12:00:00+02:00 INFO a', '2024-03-01T10:30:00Z ERROR b', '2024-03-01 11:00:00 WARN c'].join('\n');
    const r = await analyzeLogs([{ kind: 'text', name: 't', text }], { time: { ...time, zoneOffsetMin: 60 } }, { filter: {}, topErrors: 5 });
    expect(r.time_range).toEqual({ from: '2024-03-01T10:00:00.000Z', to: '2024-03-01T10:30:00.000Z' });
    const late = await analyzeLogs([{ kind: 'text', name: 't', text }], opt, { filter: { from: '2024-03-01T10:15:00Z', levels: ['error'] }, topErrors: 5 });
    expect(late.matched).toBe(1);
  });

  it('the histogram bucket grows with the time range', async () => {
    const day = FORMAT_SAMPLES.text(500, Date.UTC(2024, 2, 1)).map((l, i) => l.replace(/^\S+/, new Date(Date.UTC(2024, 2, 1) + i * 180_000).toISOString()));
    const r = await analyzeLogs([{ kind: 'text', name: 'day', text: day.join('\n') }], opt, { filter: {}, topErrors: 1 });
    // 500 entries 3 minutes apart: 25 hours in at most 60 buckets of a round size.
    expect(r.histogram.bucket_seconds).toBe(1800);
    expect(r.histogram.buckets.length).toBeLessThanOrEqual(60);
    expect(r.histogram.buckets.reduce((n, b) => n + b.count, 0)).toBe(500);
  });
});

describe('search', () => {
  const text = FORMAT_SAMPLES.text(300).join('\n');
  const run = (query: string, extra: Partial<Parameters<typeof searchLogs>[2]> = {}) =>
    searchLogs([{ kind: 'text', name: 't', text }], opt, { query, regex: false, caseSensitive: false, context: 0, limit: 5, filter: {}, ...extra });

  it('counts every match, lists up to the limit, with context', async () => {
    const r = await run('DB TIMEOUT', { context: 1 });
    expect(r.matches).toBe(30);
    expect(r.hits).toHaveLength(5);
    expect(r.omitted).toBe(25);
    expect(r.hits[1]!.before[0]).toContain('request 9 served');
    expect(r.hits[1]!.after[0]).toContain('request 11 served');
  });

  it('a backtracking-prone regex runs in linear time; an unsupported one is a clear error', async () => {
    const evil = `${'a'.repeat(5000)}!`;
    const r = await searchLogs([{ kind: 'text', name: 'evil', text: evil }], opt, { query: '(a+)+$', regex: true, caseSensitive: true, context: 0, limit: 5, filter: {} });
    expect(r.matches).toBe(0);
    await expect(run('(a)\\1', { regex: true })).rejects.toThrow(/not a valid RE2 regular expression/);
  });
});
