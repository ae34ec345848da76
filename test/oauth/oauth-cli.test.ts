import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { runCli } from '../helpers/run-cli.js';
import { serveCli, type ServeRun } from '../helpers/serve-cli.js';
import { createTestDatabase } from '../helpers/test-db.js';

/**
 * oidc-provider prints "Unsupported runtime" on stderr when imported on Node 20. The CLI's errors are
 * one line on stderr, and its commands say nothing there when they succeed: the library is loaded only
 * when OAuth is first used, and that one notice is dropped even then.
 */

const cleanup: (() => Promise<unknown> | unknown)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function workspace() {
  const cwd = mkdtempSync(path.join(tmpdir(), 'mcps-oauth-cli-'));
  cleanup.push(() => rmSync(cwd, { recursive: true, force: true }));
  const env: Record<string, string> = { ENVIRONMENT: 'test' };
  if (process.env['TEST_DATABASE_URL']?.startsWith('postgres')) {
    const db = await createTestDatabase('postgres');
    cleanup.push(() => db.drop());
    env['DATABASE_URL'] = db.url;
  }
  return { cwd, env };
}

describe('oidc-provider and the CLI', () => {
  it('a command says nothing on stderr, an error is one line, and serve answers OAuth without the runtime notice', { timeout: 180_000 }, async () => {
    const w = await workspace();
    const ok = await runCli(['user', 'create', '--username', 'ops', '--role', 'operator'], { ...w, input: 'ops-password-123\n' });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const bad = await runCli(['secrets', 'get', 'NOPE'], w);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe("mcps: Secret 'NOPE' not found\n");

    const port = await freePort();
    const serve: ServeRun = serveCli({ cwd: w.cwd, port, env: { ...w.env, MCPS_PUBLIC_URL: `http://127.0.0.1:${port}` } });
    cleanup.push(async () => {
      serve.child.kill('SIGTERM');
      await serve.exited;
    });
    await serve.ready();
    // The first OAuth request imports oidc-provider and makes the signing keys.
    const metadata = await fetch(`${serve.url}/.well-known/oauth-authorization-server/oauth`);
    expect(metadata.status).toBe(200);
    expect(((await metadata.json()) as { issuer: string }).issuer).toBe(`${serve.url}/oauth`);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    const { stdout, stderr } = serve.output();
    expect(stderr).not.toContain('oidc-provider');
    expect(stdout).not.toContain('Unsupported runtime');
  });
});
