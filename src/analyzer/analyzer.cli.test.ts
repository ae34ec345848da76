import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMAT_SAMPLES } from '../../test/fixtures/logs/generators.js';
import { cliArgs, runCli } from '../../test/helpers/run-cli.js';
import { CANCELLED_EXIT, Progress, progressLine } from './analyzer.cli.js';

/** `mcps logs ...` as a person runs it: what it prints where, and its exit codes (progress only on a terminal). */
let dir: string;
let chunkBytes = 0;
const small = () => path.join(dir, 'small.log');
const big = () => path.join(dir, 'big.log');

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mcps-logs-cli-'));
  writeFileSync(small(), `${FORMAT_SAMPLES.text(500).join('\n')}\n`);
  // ~120 MB: long enough to still be reading when Ctrl-C comes.
  const chunk = Buffer.from(`${FORMAT_SAMPLES.text(20_000).join('\n')}\n`);
  chunkBytes = chunk.length;
  writeFileSync(big(), Buffer.concat(Array.from({ length: Math.ceil((120 * 1024 * 1024) / chunk.length) }, () => chunk)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mcps logs (CLI)', () => {
  it('off a terminal prints only the result: JSON with --json, Markdown without, nothing on stderr', { timeout: 60_000 }, async () => {
    for (const kind of ['analyze', 'templates']) {
      const json = await runCli(['logs', kind, small(), '--json'], { cwd: dir });
      expect(json.code, json.stderr).toBe(0);
      expect(json.stderr).toBe('');
      expect(JSON.parse(json.stdout)).toHaveProperty('sources');
    }
    const md = await runCli(['logs', 'search', 'timeout', small()], { cwd: dir });
    expect(md.code).toBe(0);
    expect(md.stderr).toBe('');
    expect(md.stdout).toContain('timeout');
  });

  it('analyzes a big file on worker threads from the built CLI (the worker module resolves beside it)', { timeout: 120_000 }, async () => {
    const r = await runCli(['logs', 'analyze', big(), '--json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as { entries: number; bytes: number; levels: { error: number }; sources: { name: string }[] };
    expect(result.bytes).toBe(statSync(big()).size);
    expect(result.entries).toBe(result.bytes / chunkBytes * 20_000);
    expect(result.levels.error).toBe(result.entries / 10);
    expect(result.sources).toHaveLength(1);
  });

  it('a bad input exits 1 with the reason on stderr', { timeout: 60_000 }, async () => {
    const r = await runCli(['logs', 'analyze', path.join(dir, 'missing.log'), '--json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^mcps logs analyze: /);
    expect(r.stdout).toBe('');
  });

  it('Ctrl-C stops a long analysis: "cancelled" on stderr, no result, exit code 130', { timeout: 120_000 }, async () => {
    const child = spawn(process.execPath, cliArgs(['logs', 'analyze', big(), '--json']), { cwd: dir, env: { PATH: process.env['PATH'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Wait until it is reading the file (its descriptor is open), so the handler is installed.
    const deadline = Date.now() + 60_000;
    while (!readdirSync(`/proc/${child.pid}/fd`).some((fd) => safeLink(`/proc/${child.pid}/fd/${fd}`) === big())) {
      if (Date.now() > deadline) throw new Error('the CLI never opened the file');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGINT');
    expect(await closed).toBe(CANCELLED_EXIT);
    expect(stderr).toContain('cancelled');
    expect(stdout).toBe('');
  });

  it('draws a bar of bytes read out of the total, and nothing when disabled', () => {
    expect(progressLine(50 * 1024 * 1024, 200 * 1024 * 1024, 20)).toBe('[#####...............]  25%  50.0 / 200.0 MB');
    expect(progressLine(3 * 1024 * 1024, 0)).toBe('reading… 3.0 MB');
    const written: string[] = [];
    const off = new Progress(100, false, (s) => written.push(s));
    off.show(50);
    off.done();
    expect(written).toEqual([]);
    const on = new Progress(100, true, (s) => written.push(s));
    on.show(50);
    on.done();
    expect(written.length).toBe(2);
    expect(written[0]).toContain(' 50%');
  });
});

function safeLink(p: string): string | null {
  try {
    return readlinkSync(p);
  } catch {
    return null;
  }
}
