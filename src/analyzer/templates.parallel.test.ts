import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMAT_SAMPLES, LABELLED_KINDS, labelledLines, STACK_TRACES } from '../../test/fixtures/logs/generators.js';
import { runningWorkers } from '../lib/worker-call.js';
import { DEFAULT_DRAIN, type DrainState } from './drain.js';
import type { LogSource, ReadOptions } from './entries.js';
import type { EntryFilter } from './filters.js';
import { resolveLogFiles } from './log-inputs.js';
import type { MineSourcesOptions } from './mine-sources.js';
import { mineTemplates } from './templates.js';
import { defaultTimeOptions } from './timestamps.js';

/**
 * mine_templates reads big plain files on worker threads: its whole result (templates, counts, first/last seen,
 * examples, sources, read notes, caps) and the saved model must be those of the one-thread path.
 */
let dir: string;
const ONE_THREAD: MineSourcesOptions = { minBytes: Infinity };
const THREADS: MineSourcesOptions = { minBytes: 0, threads: 2, chunkBytes: 64 * 1024 };
const opt = (o: Partial<ReadOptions> = {}): ReadOptions => ({ time: { ...defaultTimeOptions(), year: 2024 }, ...o });

const sourcesOf = async (...names: string[]): Promise<LogSource[]> => (await resolveLogFiles(names, [dir])).map((file) => ({ kind: 'file', file }));

/** mineTemplates with the entries it assigned, and the most worker threads running while it assigned them. */
async function mine(sources: LogSource[], o: { threads: MineSourcesOptions; read?: ReadOptions; state?: DrainState; filter?: EntryFilter; limit?: number; maxTemplates?: number }) {
  const assigned: string[] = [];
  let workers = 0;
  const r = await mineTemplates(sources, o.read ?? opt(), {
    params: { ...DEFAULT_DRAIN, maxTemplates: o.maxTemplates ?? DEFAULT_DRAIN.maxTemplates }, filter: o.filter ?? {}, limit: o.limit ?? 50,
    state: o.state ? structuredClone(o.state) : undefined, threads: o.threads,
    onAssign: (line, source, t) => {
      assigned.push(`${source}:${line}:${t?.id ?? '-'}`);
      workers = Math.max(workers, runningWorkers());
    },
  });
  return { ...r, assigned, workers };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mcps-templates-parallel-'));
  // `text` with Java stack traces, a first line that does not parse, CRLF lines, blank and non-ASCII lines.
  const text = FORMAT_SAMPLES.text(12_000).flatMap((l, i) => (i % 40 === 0 ? [l, ...STACK_TRACES.java.slice(1)] : i % 97 === 0 ? [`${l}\r`, '', `${l} Ünïcödé 日本`] : [l]));
  writeFileSync(path.join(dir, 'app.log'), `not a text line 1\n${text.join('\n')}\n`);
  writeFileSync(path.join(dir, 'events.json'), `${FORMAT_SAMPLES.json(6000).join('\n')}\n{"broken json 7\n`);
  writeFileSync(path.join(dir, 'access.log'), FORMAT_SAMPLES.access(6000).join('\r\n'));
  writeFileSync(path.join(dir, 'app.logfmt'), `${FORMAT_SAMPLES.logfmt(4000).flatMap((l, i) => (i % 50 === 0 ? [l, '  at=frame key=1'] : [l])).join('\n')}\n`);
  writeFileSync(path.join(dir, 'sys.log'), `${FORMAT_SAMPLES.syslog3164(4000).join('\n')}\n`);
  writeFileSync(path.join(dir, 'sys5424.log'), `${FORMAT_SAMPLES.syslog5424(4000).join('\n')}\n`);
  const kinds = Object.keys(LABELLED_KINDS);
  writeFileSync(path.join(dir, 'mixed.log'), kinds.flatMap((k, i) => labelledLines(k, 3000, 7 + i).map((l) => l.text)).join('\n'));
  writeFileSync(path.join(dir, 'old.log.gz'), gzipSync(`${FORMAT_SAMPLES.text(500).join('\n')}\n`));
  // CRLF, a line over 10 MB (cut), invalid UTF-8 (a lone continuation byte, a cut sequence), a real U+FFFD.
  writeFileSync(path.join(dir, 'bad.log'), Buffer.concat([
    Buffer.from('2024-03-01T12:00:00Z INFO start 1\r\n2024-03-01T12:00:01Z INFO start 2\r\n'),
    Buffer.from(`2024-03-01T12:00:02Z ERROR huge ${'x'.repeat(11 * 1024 * 1024)}\r\n`),
    Buffer.from('2024-03-01T12:00:03Z WARN bad byte '), Buffer.from([0x80, 0x41, 0xe2, 0x82]), Buffer.from(' 3\r\n'),
    Buffer.from('2024-03-01T12:00:04Z WARN real \uFFFD char 4\r\n2024-03-01T12:00:05Z INFO start 5'),
  ]));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mine_templates on worker threads', () => {
  it('gives the one-thread result on files of every format, a gzip file and inline text, extending a saved model', async () => {
    const files = await sourcesOf('app.log', 'events.json', 'access.log', 'app.logfmt', 'sys.log', 'sys5424.log', 'mixed.log', 'old.log.gz');
    const sources: LogSource[] = [...files, { kind: 'text', name: 'inline', text: 'User bob logged in from 10.0.0.9\nUser eve logged in from 10.0.0.7' }];
    const base = await mine(await sourcesOf('app.log'), { threads: ONE_THREAD });
    const one = await mine(sources, { threads: ONE_THREAD, state: base.state });
    const par = await mine(sources, { threads: THREADS, state: base.state });
    expect(one.workers).toBe(0);
    expect(par.workers).toBeGreaterThan(0);
    expect(par.result).toEqual(one.result);
    expect(par.state).toEqual(one.state);
    expect(par.assigned).toEqual(one.assigned);
    expect(one.result.sources.map((s) => s.format)).toEqual(['text', 'json', 'access', 'logfmt', 'syslog3164', 'syslog5424', 'raw', 'text', 'raw']);
    expect(one.result.templates.some((t) => t.first_seen !== null)).toBe(true);
  });

  it('gives the one-thread caps and left-out counts, and the same with a format named', async () => {
    const sources = await sourcesOf('mixed.log', 'app.log');
    for (const o of [{ limit: 5, maxTemplates: 12 }, { read: opt({ format: 'raw' }) }]) {
      const one = await mine(sources, { threads: ONE_THREAD, ...o });
      const par = await mine(sources, { threads: THREADS, ...o });
      expect(par.result).toEqual(one.result);
      expect(par.state).toEqual(one.state);
    }
  });

  it('reads CRLF, a line over 10 MB and invalid UTF-8 as the one-thread reader does', async () => {
    const sources = await sourcesOf('bad.log');
    const one = await mine(sources, { threads: ONE_THREAD });
    const par = await mine(sources, { threads: { ...THREADS, chunkBytes: undefined } });
    expect(par.workers).toBeGreaterThan(0);
    expect(par.result).toEqual(one.result);
    expect(par.state).toEqual(one.state);
    expect(par.result.notes).toEqual(['1 line(s) longer than 10 MB were cut at 10 MB', '1 line(s) were not valid UTF-8 (bad bytes shown as U+FFFD)']);
    expect(par.result.entries).toBe(6);
    expect(par.result.templates.every((t) => !t.example.includes('\r'))).toBe(true);
    expect(par.result.templates.map((t) => t.example)).toContain('start 1');
  });

  it('reads on this thread when a filter is set', async () => {
    const par = await mine(await sourcesOf('app.log'), { threads: THREADS, filter: { levels: ['error'] } });
    expect(par.workers).toBe(0);
  });
});

describe('mine_templates threads end', () => {
  it('when the call is cancelled mid-file', { timeout: 60_000 }, async () => {
    const chunk = `${FORMAT_SAMPLES.text(20_000).join('\n')}\n`;
    writeFileSync(path.join(dir, 'big.log'), chunk.repeat(Math.ceil((48 * 1024 * 1024) / chunk.length)));
    const sources = await sourcesOf('big.log');
    const abort = new AbortController();
    let read = 0;
    let during = 0;
    const onBytes = (b: number) => {
      read = b;
      during = Math.max(during, runningWorkers());
      abort.abort();
    };
    const before = runningWorkers();
    await expect(mine(sources, { threads: { minBytes: 0 }, read: opt({ signal: abort.signal, onBytes }) })).rejects.toThrow(/cancelled/);
    expect(during).toBeGreaterThan(before);
    expect(read).toBeLessThan(sources[0]!.kind === 'file' ? sources[0]!.file.size : 0);
    await expect.poll(() => runningWorkers()).toBe(before);
  });

  it('when mining fails', async () => {
    const before = runningWorkers();
    const failing = mineTemplates(await sourcesOf('mixed.log'), opt(), {
      params: DEFAULT_DRAIN, filter: {}, limit: 10, threads: THREADS,
      onAssign: (line) => {
        if (line === 5000) throw new Error('disk full');
      },
    });
    await expect(failing).rejects.toThrow('disk full');
    await expect.poll(() => runningWorkers()).toBe(before);
  });
});
