import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FORMAT_SAMPLES, labelledLines } from '../../test/fixtures/logs/generators.js';
import { runCli } from '../../test/helpers/run-cli.js';
import { useTempDirs } from '../../test/helpers/temp-dirs.js';

const tempDir = useTempDirs();

/** `mcps logs ...` as a person runs it: files named on the command line, a report or JSON, exit codes. */
describe('mcps logs', () => {
  it('analyze prints a report, or the JSON result with --json', async () => {
    const cwd = tempDir('mcps-logs-cli-');
    writeFileSync(path.join(cwd, 'app.log'), FORMAT_SAMPLES.text(200).join('\n'));
    writeFileSync(path.join(cwd, 'access.log.gz'), gzipSync(FORMAT_SAMPLES.access(100).join('\n')));
    const text = await runCli(['logs', 'analyze', 'app.log', 'access.log.gz'], { cwd });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^# Log analysis/);
    const json = await runCli(['logs', 'analyze', '--json', '--level', 'error', '*.log'], { cwd });
    expect(JSON.parse(json.stdout)).toMatchObject({ entries: 200, matched: 20 });
  });

  it('templates --format raw --assign writes one line per input line', async () => {
    const cwd = tempDir('mcps-logs-cli-');
    const lines = labelledLines('system', 300, 5);
    writeFileSync(path.join(cwd, 'sys.log'), lines.map((l) => l.text).join('\n'));
    const r = await runCli(['logs', 'templates', '--format', 'raw', '--assign', 'out.jsonl', '--json', 'sys.log'], { cwd });
    expect(r.code).toBe(0);
    const out = readFileSync(path.join(cwd, 'out.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; template_id: string; template: string });
    expect(out).toHaveLength(300);
    expect(out[0]).toMatchObject({ line: 1, template_id: expect.stringMatching(/^t\d+$/), template: expect.any(String) });
  });

  it('bad input: a clear message and a non-zero exit', async () => {
    const cwd = tempDir('mcps-logs-cli-');
    writeFileSync(path.join(cwd, 'cut.log.gz'), gzipSync(FORMAT_SAMPLES.text(5000).join('\n')).subarray(0, 1000));
    const missing = await runCli(['logs', 'analyze', 'nope.log'], { cwd });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no such file: .*nope\.log/);
    const cut = await runCli(['logs', 'search', 'x', 'cut.log.gz'], { cwd });
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/gzip data is truncated/);
  });
});
