import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMAT_SAMPLES, STACK_TRACES } from '../../test/fixtures/logs/generators.js';
import { analysisResult, analyzePart } from './analyze.js';
import { analyzeInParallel } from './analyze-parallel.js';
import type { LogSource } from './entries.js';
import { resolveLogFiles } from './log-inputs.js';
import { defaultTimeOptions } from './timestamps.js';

/**
 * Big inputs are read by worker threads, a big file cut at entry boundaries: the result must be the one a
 * single pass gives, and the calling thread must stay free to serve.
 */
let dir: string;
let sources: LogSource[];
const opt = { time: defaultTimeOptions() };
const o = { filter: {}, topErrors: 20 };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mcps-analyze-parallel-'));
  // Text lines with a multi-line stack trace every 50 lines (cut points will fall inside some), and a JSON file.
  const text = FORMAT_SAMPLES.text(40_000).flatMap((l, i) => (i % 50 === 0 ? [l, ...STACK_TRACES.java.slice(1)] : [l]));
  writeFileSync(path.join(dir, 'app.log'), `${text.join('\n')}\n`);
  writeFileSync(path.join(dir, 'events.json'), `${FORMAT_SAMPLES.json(20_000).join('\n')}\n`);
  // The same with CRLF line ends, and no newline at the very end (the last part ends mid-line).
  writeFileSync(path.join(dir, 'app-crlf.log'), text.join('\r\n'));
  sources = (await resolveLogFiles(['app.log', 'events.json', 'app-crlf.log'], [dir])).map((file) => ({ kind: 'file', file }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('analyze_logs on worker threads', () => {
  it('gives the single-pass result when files are cut into parts and read in parallel', async () => {
    const single = analysisResult([await analyzePart(sources, opt, o)], o);
    let progress = 0;
    const parts = await analyzeInParallel(sources, { ...opt, onBytes: (b) => (progress = b) }, o, { threads: 4, minBytes: 1, partBytes: 256 * 1024 });
    expect(parts).not.toBeNull();
    expect(parts!.length).toBeGreaterThan(2);
    expect(analysisResult(parts!, o)).toEqual(single);
    expect(single.top_errors.items[0]!.example).toContain('IllegalStateException');
    expect(progress).toBe(single.bytes);
  });

  it('leaves small inputs and inline text to the calling thread', async () => {
    expect(await analyzeInParallel(sources, opt, o)).toBeNull();
    expect(await analyzeInParallel([{ kind: 'text', name: 'x', text: 'a\n' }], opt, o, { minBytes: 0 })).toBeNull();
  });

  it('keeps the calling thread free: an HTTP request is answered while a big analysis runs', async () => {
    const server = createServer((_req, res) => res.end('pong'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    let finished = false;
    const run = analyzeInParallel(sources, opt, o, { threads: 1, minBytes: 1, partBytes: 1 << 30 }).then(() => (finished = true));
    await new Promise((r) => setTimeout(r, 50));
    const answered = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    const answeredBeforeEnd = !finished;
    await run;
    server.close();
    expect(answered).toBe('pong');
    expect(answeredBeforeEnd).toBe(true);
  });

  it('stops the threads when the call is cancelled', async () => {
    const abort = new AbortController();
    const run = analyzeInParallel(sources, { ...opt, signal: abort.signal }, o, { threads: 2, minBytes: 1, partBytes: 256 * 1024 });
    setTimeout(() => abort.abort(), 20);
    await expect(run).rejects.toThrow(/cancelled/);
  });
});
