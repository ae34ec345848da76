import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../test/helpers/free-port.js';
import { needs } from '../../../test/helpers/needs.js';
import { DEFAULT_PG_URL } from '../../../test/components.js';
import { runCheck } from './run-check.js';
import type { CheckSpec } from './check-spec.js';
import { checkSpec } from './check-spec.js';

const deps = {
  resolveSecrets: async (text: string) => text.replace('${secret:PGPASS}', 'unused'),
  connectionOf: async () => { throw new Error('no servers here'); },
  now: Date.now,
};
const check = (spec: Record<string, unknown>) => runCheck(checkSpec.parse(spec) as CheckSpec, deps);

describe('HTTPS: TLS certificate days left (a self-signed certificate made by openssl)', () => {
  let dir: string;
  let server: Server;
  let port: number;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mcps-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '20', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    server = createHttpsServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (_req, res) => res.end('hello'));
    port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  });
  afterAll(async () => {
    await new Promise<void>((r) => server?.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the self-signed certificate by default, with a clear error', async () => {
    const r = await check({ kind: 'http', target: `https://127.0.0.1:${port}/` });
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/self-signed certificate \(set ignore_tls_errors to accept it\)/) });
  });

  it('reports the days left; fewer than min_cert_days is down', async () => {
    const ok = await check({ kind: 'http', target: `https://127.0.0.1:${port}/`, ignore_tls_errors: true, keyword: 'hello' });
    expect(ok).toMatchObject({ ok: true, details: { status: 200, cert_days_left: expect.any(Number) } });
    expect(ok.details['cert_days_left']).toBeGreaterThanOrEqual(19);
    expect(ok.details['cert_days_left']).toBeLessThanOrEqual(20);
    const soon = await check({ kind: 'http', target: `https://127.0.0.1:${port}/`, ignore_tls_errors: true, min_cert_days: 30 });
    expect(soon).toMatchObject({ ok: false, error: expect.stringMatching(/^the TLS certificate expires in (19|20) days \(fewer than 30\)$/) });
  });
});

describe('an unreachable host and a DNS failure are clear errors', () => {
  it('a port nobody listens on, and a host name that does not resolve', async () => {
    const port = await freePort();
    expect(await check({ kind: 'http', target: `http://127.0.0.1:${port}/` })).toMatchObject({ ok: false, error: `connection refused by 127.0.0.1:${port}` });
    expect(await check({ kind: 'tcp', target: 'no-such-host.invalid:80' })).toMatchObject({ ok: false, error: expect.stringMatching(/does not resolve|timed out/) });
    expect(await check({ kind: 'http', target: 'ftp://127.0.0.1/' })).toMatchObject({ ok: false, error: "URL scheme 'ftp:' is not allowed (http:, https:)" });
    expect(await check({ kind: 'mcp', target: 'nosuch' })).toMatchObject({ ok: false, error: "server 'nosuch': no servers here" });
  });
});

describe.skipIf(!needs('postgres'))('PostgreSQL check (the real server)', () => {
  it('connects and runs select 1; a wrong database and a closed port are down with the reason', async () => {
    const url = process.env['TEST_DATABASE_URL'] ?? DEFAULT_PG_URL;
    expect(await check({ kind: 'postgres', target: url })).toMatchObject({ ok: true, latency_ms: expect.any(Number) });
    const u = new URL(url);
    u.pathname = '/no_such_database_xyz';
    expect(await check({ kind: 'postgres', target: u.toString() })).toMatchObject({ ok: false, error: expect.stringContaining('no_such_database_xyz') });
    const port = await freePort();
    expect(await check({ kind: 'postgres', target: `postgres://postgres@127.0.0.1:${port}/x` })).toMatchObject({ ok: false, error: `connection refused by 127.0.0.1` });
  });
});

describe.skipIf(!needs('redis'))('Redis check (the real server)', () => {
  it('PING answers PONG; a closed port is down', async () => {
    expect(await check({ kind: 'redis', target: 'redis://127.0.0.1:6379' })).toMatchObject({ ok: true });
    const port = await freePort();
    expect(await check({ kind: 'redis', target: `redis://127.0.0.1:${port}`, timeout_ms: 2000 })).toMatchObject({ ok: false, error: expect.stringMatching(/^Redis: /) });
  });
});

describe('metadata addresses are never checked', () => {
  it('refuses them in every kind, even with every private range allowed', async () => {
    for (const spec of [
      { kind: 'http', target: 'http://169.254.169.254/' },
      { kind: 'http', target: 'http://[fd00:ec2::254]/' },
      { kind: 'tcp', target: '100.100.100.200:80' },
      { kind: 'postgres', target: 'postgres://u@169.254.169.254/x' },
      { kind: 'redis', target: 'redis://metadata.google.internal:6379' },
    ]) {
      const r = await check(spec);
      expect(r.ok, spec.target).toBe(false);
      expect(r.error, spec.target).toMatch(/^refused: .*metadata/);
    }
  });
});
