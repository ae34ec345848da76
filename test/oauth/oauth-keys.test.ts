import { randomBytes } from 'node:crypto';
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNING_KEYS_SECRET } from '../../src/auth/oauth/signing-keys.js';
import { localCaller } from '../../src/secrets/secret-caller.js';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { freePort } from '../helpers/free-port.js';
import { createTestContext, type TestContext } from '../helpers/test-context.js';
import { createTestDatabase, type TestDatabase } from '../helpers/test-db.js';
import { approveInBrowser, TestOAuthClient } from './oauth-client.js';

/**
 * The authorization server's signing keys are a secret like any other: `mcps secrets rewrap` moves them
 * to a new master key, and a platform whose master key cannot read them still starts and serves all
 * but OAuth, which says why (503) until the right key is configured or the secret is rotated.
 */

const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('base64');
const OTHER = randomBytes(32).toString('base64');
const REDIRECT = 'http://127.0.0.1:1/callback';
const cli = localCaller('cli', 'oauth-keys-test');

let database: TestDatabase;
let base: string;
let port: number;
const open: TestContext[] = [];

/** A platform on the shared database with `env`, listening on the one public URL. */
async function platform(env: Record<string, string>): Promise<TestContext> {
  const c = await createTestContext(database.url, { MCPS_PUBLIC_URL: base, ...env });
  open.push(c);
  await (await c.app()).listen({ host: '127.0.0.1', port });
  return c;
}
const kids = async () => ((await (await fetch(`${base}/oauth/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid).sort();

beforeAll(async () => {
  database = await createTestDatabase();
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  for (const c of open) await c.dispose();
  await database.drop();
});

/** The MCP SDK client's whole flow on /mcp; returns the tools it lists as the admin. */
async function oauthFlow(): Promise<string[]> {
  const oauth = new TestOAuthClient(REDIRECT);
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { authProvider: oauth });
  await expect(new Client({ name: 'keys-test', version: '1' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  await transport.finishAuth((await approveInBrowser(base, oauth.authorizationUrl!, 'admin', ADMIN_PASSWORD)).searchParams);
  const client = new Client({ name: 'keys-test', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { authProvider: oauth }));
  try {
    return (await client.listTools()).tools.map((t) => t.name);
  } finally {
    await client.close();
  }
}

describe('OAuth signing keys', () => {
  it('are a secret: rewrapped to a new master key, the platform starts on the new key alone and completes an OAuth flow with the same keys', async () => {
    const first = await platform({ MCPS_MASTER_KEY: OLD });
    // Nothing is read or generated at start: only the first OAuth use makes the keys.
    expect((await first.ctx.db.selectFrom('secrets').select('name').where('name', '=', SIGNING_KEYS_SECRET).execute()).length).toBe(0);
    const before = await kids();
    expect(before).toHaveLength(2);
    const stored = await first.ctx.secrets.get(SIGNING_KEYS_SECRET, cli);
    expect(stored.tags).toEqual(['oauth', 'managed']);
    await first.close();

    const both = await createTestContext(database.url, { MCPS_MASTER_KEYS: `v2:${NEW},v1:${OLD}` });
    open.push(both);
    const report = await both.ctx.secrets.rewrap({}, cli);
    expect(report).toMatchObject({ kek_version: 'v2', failed: [], remaining: 0 });
    expect(report.rewrapped).toBeGreaterThanOrEqual(1);
    await both.close();

    const after = await platform({ MCPS_MASTER_KEYS: `v2:${NEW}` });
    expect(await kids()).toEqual(before);
    expect((await oauthFlow()).length).toBeGreaterThan(0);
    await after.close();
  }, 120_000);

  it('cannot be read with another master key: the platform starts and serves, OAuth answers 503 saying why (audited); rotating the secret makes new keys', async () => {
    const other = await platform({ MCPS_MASTER_KEYS: `v3:${OTHER}` });
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
    expect(login.status).toBe(200);
    // The resource side needs no keys: 401 naming the metadata, which is served.
    const unauth = await fetch(`${base}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(unauth.status).toBe(401);
    expect((await fetch(`${base}/.well-known/oauth-protected-resource/mcp`)).status).toBe(200);

    for (const url of [`${base}/.well-known/oauth-authorization-server/oauth`, `${base}/oauth/jwks`]) {
      const res = await fetch(url);
      expect(res.status, url).toBe(503);
      const problem = (await res.json()) as { detail: string };
      expect(problem.detail).toContain(`signing keys (secret '${SIGNING_KEYS_SECRET}') cannot be decrypted`);
      expect(problem.detail).toContain('unknown master key version v2');
      expect(problem.detail).toContain('MCPS_MASTER_KEYS');
    }
    // A bearer token on /mcp cannot be checked either: 503, not a 401 that would send the client to sign in again.
    const withToken = await fetch(`${base}/mcp`, { method: 'POST', headers: { authorization: 'Bearer some-opaque-token-value', 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{}' });
    expect(withToken.status).toBe(503);
    const failures = await other.ctx.db.selectFrom('operation_logs').select(['action', 'actor_type', 'outcome']).where('target_id', '=', SIGNING_KEYS_SECRET).where('outcome', '=', 'failure').execute();
    expect(failures).toContainEqual({ action: 'secret.reveal', actor_type: 'system', outcome: 'failure' });

    // Starting over: the operator rotates the secret (any value); the next use generates new keys as a new version.
    await other.ctx.secrets.rotate(SIGNING_KEYS_SECRET, { reason: 'old master key lost' }, cli);
    const fresh = await kids();
    expect(fresh).toHaveLength(2);
    const detail = await other.ctx.secrets.get(SIGNING_KEYS_SECRET, cli);
    expect(detail.current_version).toBe(3);
    expect((await oauthFlow()).length).toBeGreaterThan(0);
    await other.close();
  }, 120_000);
});
