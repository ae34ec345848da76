import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../src/capture/browser-pool.js';
import { CHROMIUM_PATH } from '../components.js';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { freePort } from '../helpers/free-port.js';
import { WELL_BEHAVED } from '../helpers/gateway-app.js';
import { createServersTestApp, type ServersTestApp } from '../helpers/servers-app.js';
import { startOidcIdp, type OidcIdp } from '../sso/oidc-idp.js';
import { TestOAuthClient } from './oauth-client.js';

/**
 * The sign-in and consent pages clicked in the system Chromium, as a person would after an MCP client
 * opened the browser: the SDK client then finishes the flow and calls a tool as that user. Then, with
 * password sign-in turned off, the same flow through a single sign-on provider (oidc-provider on
 * 127.0.0.1; the platform on `localhost` so the two sites' cookies stay apart).
 */

let t: ServersTestApp;
let base: string;
let browser: Browser;
let idp: OidcIdp;
const REDIRECT = 'http://127.0.0.1:1/callback';

beforeAll(async () => {
  const [port, idpPort] = [await freePort(), await freePort()];
  base = `http://localhost:${port}`;
  idp = await startOidcIdp(idpPort, { platformBase: base, providerName: 'corp', accounts: { carol: { groups: ['mcp-users'] } } });
  t = await createServersTestApp({ MCPS_PUBLIC_URL: base });
  await t.app.listen({ host: 'localhost', port });
  expect((await t.call('POST', '/tools', { name: 'wb', command: process.execPath, args: [WELL_BEHAVED], restart_policy: 'never', timeout_ms: 60_000 })).statusCode).toBe(201);
  const started = await t.call('POST', '/tools/wb/start');
  expect(started.statusCode, started.body).toBe(200);
  t.pids.add(started.json().pid);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.closeAndCheck();
  await idp?.close();
}, 60_000);

/** A new authorization by the SDK client: its authorization URL opened in a fresh page that answers the client's redirect. */
type Authorization = Awaited<ReturnType<typeof startAuthorization>>;

async function startAuthorization(name: string) {
  const oauth = new TestOAuthClient(REDIRECT, name);
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { authProvider: oauth });
  await expect(new Client({ name: 'x', version: '1' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  // The client's redirect endpoint: answered here, its URL kept.
  const redirected: { url: URL | null } = { url: null };
  await page.route('http://127.0.0.1:1/**', async (route) => {
    redirected.url = new URL(route.request().url());
    await route.fulfill({ status: 200, contentType: 'text/plain', body: 'done' });
  });
  await page.goto(oauth.authorizationUrl!.href);
  return { oauth, transport, page, errors, redirected };
}

/** The client finishes the flow with the code it was redirected with, connects, and calls wb__add as the signed-in user. */
async function finishAndAdd(flow: Pick<Authorization, 'oauth' | 'transport' | 'redirected'>, a: number, b: number): Promise<unknown> {
  await flow.transport.finishAuth(flow.redirected.url!.searchParams);
  const client = new Client({ name: 'oauth-browser', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { authProvider: flow.oauth }));
  try {
    return (await client.callTool({ name: 'wb__add', arguments: { a, b } })).structuredContent;
  } finally {
    await client.close();
  }
}

describe('OAuth sign-in and consent in Chromium', () => {
  it('signs in, shows the client, the user and the scopes, approves, and the client calls a tool', async () => {
    const { oauth, transport, page, errors, redirected } = await startAuthorization('Inspector-like client');
    expect(await page.textContent('body')).toContain('Inspector-like client');
    await page.fill('#username', 'admin');
    await page.fill('#password', 'a wrong password');
    await page.click('button[type=submit]');
    expect(await page.textContent('[role=alert]')).toContain('Wrong username or password');
    await page.fill('#password', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('#allow');
    expect(await page.textContent('#client')).toBe('Inspector-like client');
    expect(await page.textContent('#user')).toBe('admin');
    expect(await page.textContent('#scopes')).toContain('mcp');
    await page.click('#allow');
    await page.waitForURL((u) => u.href.startsWith(REDIRECT), { timeout: 30_000 }).catch(async () => {
      throw new Error(`no redirect to the client; the page shows: ${await page.textContent('body')}`);
    });
    expect(redirected.url?.searchParams.get('code')).toBeTruthy();
    expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await page.close();

    expect(await finishAndAdd({ oauth, transport, redirected }, 20, 22)).toEqual({ sum: 42 });
  }, 90_000);

  it('with password sign-in off, signs in through the SSO provider and the client calls a tool as that user', async () => {
    const created = await t.call('POST', '/secrets', { name: 'CORP_SECRET', value: idp.clientSecret });
    expect(created.statusCode, created.body).toBe(201);
    const provider = await t.call('POST', '/auth/sso/providers', { name: 'corp', display_name: 'Corp IdP', issuer: idp.issuer, client_id: idp.clientId, client_secret: '${secret:CORP_SECRET}', scopes: 'openid profile groups', groups_claim: 'groups', role_map: { 'mcp-users': 'operator' } });
    expect(provider.statusCode, provider.body).toBe(201);
    const off = await t.call('PUT', '/system/config', { 'auth.local_passwords': false });
    expect(off.statusCode, off.body).toBe(200);

    const { oauth, transport, page, errors, redirected } = await startAuthorization('SSO client');
    expect(await page.locator('#password').count()).toBe(0);
    expect(await page.textContent('#no-password')).toMatch(/Password sign-in is turned off/);
    // A forged marker for this interaction is refused on the page, audited, and the sign-in can go on.
    const here = new URL(page.url());
    await page.context().addCookies([{ name: 'mcps_sso_oauth', value: `${here.pathname.split('/').pop()}.someone.9999999999.forged`, url: here.href }]);
    await page.reload();
    expect(await page.textContent('[role=alert]')).toMatch(/single sign-on did not complete/);
    const refused = await t.ctx.db.selectFrom('operation_logs').selectAll().where('action', '=', 'oauth.login').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(refused.outcome).toBe('failure');

    await page.getByRole('link', { name: 'Sign in with Corp IdP' }).click();
    await page.waitForURL((u) => u.href.startsWith(idp.issuer));
    await page.fill('input[name=login]', 'carol');
    await page.fill('input[name=password]', 'any password');
    await page.click('button[type=submit]');
    await page.waitForURL((u) => u.href.startsWith(base) || u.pathname.startsWith('/interaction/'));
    if (page.url().startsWith(idp.issuer)) await page.click('button[type=submit]');
    await page.waitForSelector('#allow', { timeout: 30_000 }).catch(async () => {
      throw new Error(`no consent page; ${page.url()} shows: ${await page.textContent('body')}`);
    });
    expect(await page.textContent('#client')).toBe('SSO client');
    expect(await page.textContent('#user')).toBe('carol');
    await page.click('#allow');
    await page.waitForURL((u) => u.href.startsWith(REDIRECT), { timeout: 30_000 });
    expect(redirected.url?.searchParams.get('code')).toBeTruthy();
    expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await page.close();

    expect(await finishAndAdd({ oauth, transport, redirected }, 1, 2)).toEqual({ sum: 3 });
    const carol = await t.ctx.db.selectFrom('users').selectAll().where('username', '=', 'carol').executeTakeFirstOrThrow();
    const signedIn = await t.ctx.db.selectFrom('operation_logs').selectAll().where('action', '=', 'oauth.login').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(signedIn).toMatchObject({ outcome: 'success', actor_id: carol.id });
    // The client's calls are logged as that user.
    const consent = await t.ctx.db.selectFrom('operation_logs').selectAll().where('action', '=', 'oauth.consent').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(consent.actor_id).toBe(carol.id);
  }, 120_000);

  it('refuses a return target that is not this platform\'s own sign-in page (no open redirect)', async () => {
    for (const target of ['https://evil.example/oauth/interaction/abc', '//evil.example/oauth/interaction/abc', '/oauth/interaction/abc/../../../api/v1/users', '/oauth/interaction/abc?next=https://evil.example', '/oauth/interaction/', '/\\evil.example']) {
      const res = await t.call('GET', `/auth/sso/corp/start?return_to=${encodeURIComponent(target)}`);
      expect(res.statusCode, target).toBe(400);
      expect(res.headers.location).toBeUndefined();
      expect(res.json().detail).toMatch(/return_to must be this platform's \/oauth\/interaction/);
    }
    // A foreign target smuggled in the return cookie is ignored by the callback: a refused sign-in goes to the console only.
    const forged = await t.app.inject({ method: 'GET', url: '/api/v1/auth/sso/corp/callback?code=x&state=y', headers: { accept: 'text/html', cookie: 'mcps_sso_state=y; mcps_sso_return=https%3A%2F%2Fevil.example%2F' } });
    expect(forged.statusCode).toBe(303);
    expect(forged.headers.location).toBe('/');
  });
});
