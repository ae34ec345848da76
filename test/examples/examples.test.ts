import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliArgs } from '../helpers/run-cli.js';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';

/** docs/examples run as a reader would, against a real `mcps serve`, so they stay true. */

const EXAMPLES = path.resolve(import.meta.dirname, '../../docs/examples');

let server: ChildProcess;
let exited: Promise<number | null>;
let baseUrl: string;
let dir: string;
let database: TestDatabase;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mcps-examples-'));
  database = await createTestDatabase();
  const env = { PATH: process.env['PATH'] ?? '', ENVIRONMENT: 'test', PORT: '0', DATA_DIR: path.join(dir, 'data'), LOG_DIR: path.join(dir, 'logs'), DATABASE_URL: database.url, MCPS_ADMIN_PASSWORD: ADMIN_PASSWORD };
  server = spawn(process.execPath, cliArgs(['serve']), { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  exited = new Promise((resolve) => server.on('close', (code) => resolve(code)));
  baseUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const started = /"address":"([^"]+)"[^\n]*"msg":"MCPS.ONE started"/.exec(out);
      if (started) resolve(started[1]!);
    });
    void exited.then((code) => reject(new Error(`mcps serve exited ${code}: ${out}`)));
  });
});

afterAll(async () => {
  server?.kill('SIGTERM');
  expect(await exited).toBe(0);
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs an example with BASE_URL and ADMIN_PASSWORD only, as its header says. */
function run(command: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { PATH: process.env['PATH'] ?? '', BASE_URL: baseUrl, ADMIN_PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('docs/examples', { timeout: 120_000 }, () => {
  it('basic.sh registers server-everything, starts it, calls get-sum and stops it', async () => {
    const r = await run('bash', [path.join(EXAMPLES, 'basic.sh')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('\nThe sum of 2 and 3 is 5.\n');
    expect(r.stdout).toMatch(/\nrunning \d+\n/);
    expect(r.stdout).toMatch(/\nstopped\ndone\n$/);
  });

  it('advanced.sh: a secret by reference, an imported Claude Desktop config, an allowlisted key on /mcp', async () => {
    const r = await run('bash', [path.join(EXAMPLES, 'advanced.sh')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\n\$\{secret:DEMO_TOKEN_\d+\}\n/);
    expect(r.stdout).toContain('the server sees the secret value: yes');
    expect(r.stdout).toContain('\nmcps-one-gateway\n');
    expect(r.stdout).toContain('\n["demo__echo"]\n');
    expect(r.stdout).toContain('\nEcho: hello through the gateway\n');
    expect(r.stdout).toContain("\ntool 'demo__get-env' is not allowed for this API key\n");
    expect(r.stdout).toMatch(/\ndone\n$/);
  });

  it('integration.ts connects the MCP client to /mcp with an API key, calls a tool and reads a resource', async () => {
    const r = await run(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(EXAMPLES, 'integration.ts')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('connected to mcps-one-gateway\n');
    expect(r.stdout).toMatch(/\d+ tools, e\.g\. everything__/);
    expect(r.stdout).toContain('everything__get-sum: The sum of 19 and 23 is 42.\n');
    expect(r.stdout).toMatch(/read mcps:\/\/everything\/\S+: 1 content item\(s\)\n/);
  });
});
