import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_BASE_ARGS } from '../../src/capture/browser-pool.js';
import { CHROMIUM_PATH } from '../components.js';
import { freePort } from '../helpers/free-port.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { startOidcIdp, type OidcIdp } from '../sso/oidc-idp.js';
import { checkScreen, signIn, watchPage } from './console-harness.js';

/**
 * Single sign-on clicked in the system Chromium: the console's "Sign in with Local IdP" goes to an
 * oidc-provider on 127.0.0.1 and back; the user is created once with the role its group maps to, a
 * second sign-in reuses it, and signing out ends the platform session and the provider's. The console
 * runs on `localhost`, the provider on `127.0.0.1`: two sites, as a real provider would be.
 */

let t: TestApp;
let idp: OidcIdp;
let browser: Browser;
let base: string;

const sessionOf = (page: Page) => page.evaluate<{ status: number; me?: { name: string; role: string; user_id: string } }>(
  "fetch('/api/v1/auth/session').then(async (r) => ({ status: r.status, me: r.ok ? (await r.json()).me : undefined }))",
);

/** The provider's development sign-in and consent pages (any login name is accepted). */
async function signInAtProvider(page: Page, login: string) {
  await page.waitForURL((u) => u.href.startsWith(idp.issuer) || u.href.startsWith(base));
  if (page.url().startsWith(idp.issuer) && (await page.locator('input[name=login]').count()) > 0) {
    await page.fill('input[name=login]', login);
    await page.fill('input[name=password]', 'any password');
    await page.click('button[type=submit]');
  }
  await page.waitForURL((u) => u.href.startsWith(base) || u.pathname.startsWith('/interaction/'));
  if (page.url().startsWith(idp.issuer)) await page.click('button[type=submit]');
  await page.getByRole('navigation').waitFor({ timeout: 30_000 });
}

beforeAll(async () => {
  const [port, idpPort] = [await freePort(), await freePort()];
  base = `http://localhost:${port}`;
  idp = await startOidcIdp(idpPort, { platformBase: base, providerName: 'local', accounts: { alice: { groups: ['staff', 'mcps-operators'], email: 'alice@example.com', email_verified: true } } });
  t = await createTestApp({ MCPS_PUBLIC_URL: base });
  await t.app.listen({ host: 'localhost', port });
  const admin = await t.login();
  expect((await t.app.inject({ method: 'POST', url: '/api/v1/secrets', headers: admin, payload: { name: 'LOCAL_IDP_SECRET', value: idp.clientSecret } })).statusCode).toBe(201);
  const created = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/sso/providers',
    headers: admin,
    payload: { name: 'local', display_name: 'Local IdP', issuer: idp.issuer, client_id: idp.clientId, client_secret: '${secret:LOCAL_IDP_SECRET}', scopes: 'openid profile email groups', groups_claim: 'groups', role_map: { 'mcps-operators': 'operator' } },
  });
  expect(created.statusCode, created.body).toBe(201);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_BASE_ARGS], headless: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await idp?.close();
}, 60_000);

describe('single sign-on in Chromium', () => {
  it('signs in through the provider with the mapped role, reuses the user on the next sign-in, and signs out of both', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchPage(page);
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Sign in with Local IdP' }).click();
    await signInAtProvider(page, 'alice');
    const first = await sessionOf(page);
    expect(first).toMatchObject({ status: 200, me: { name: 'alice', role: 'operator' } });
    expect(await t.ctx.db.selectFrom('users').select('id').where('username', '=', 'alice').execute()).toEqual([{ id: first.me!.user_id }]);

    // Sign out: the platform session ends, then the provider's (RP-initiated logout), and back to the console.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.href.startsWith(`${idp.issuer}/session/end`));
    await page.click('button[name=logout], button[type=submit]');
    await page.waitForURL(`${base}/`);
    await page.getByRole('link', { name: 'Sign in with Local IdP' }).waitFor();
    expect((await sessionOf(page)).status).toBe(401);

    await page.getByRole('link', { name: 'Sign in with Local IdP' }).click();
    await signInAtProvider(page, 'alice');
    const second = await sessionOf(page);
    expect(second.me?.user_id).toBe(first.me!.user_id);
    expect(await t.ctx.db.selectFrom('users').select('id').where('username', '=', 'alice').execute()).toHaveLength(1);
    const logins = await t.ctx.db.selectFrom('operation_logs').select('outcome').where('action', '=', 'auth.sso.login').where('target_id', '=', first.me!.user_id).execute();
    expect(logins).toEqual([{ outcome: 'success' }, { outcome: 'success' }]);
    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  it('shows why a sign-in was refused on the sign-in screen', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${base}/api/v1/auth/sso/local/callback?code=stolen&state=forged`);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/Sign-in failed: .*state/);
    // Shown once: a reload shows the plain sign-in screen, the provider's button above the password form.
    await page.reload();
    await page.getByRole('link', { name: 'Sign in with Local IdP' }).waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    // The password form does not take the focus from the provider's button.
    await page.getByLabel('Username').waitFor();
    expect(await page.evaluate<string>("document.activeElement?.id ?? ''")).not.toBe('username');
    expect(await checkScreen(page, 'sso-sign-in')).toEqual([]);
    await context.close();
  }, 60_000);

  it('gives admins a screen listing the providers with the redirect URI to register', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const { ADMIN_PASSWORD } = await import('../helpers/boot-context.js');
    await signIn(page, base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Single sign-on' }).click();
    await page.getByRole('table').waitFor();
    expect(await page.textContent('table')).toContain(`${base}/api/v1/auth/sso/local/callback`);
    expect(await page.textContent('table')).toContain('mcps-operators');
    expect(await checkScreen(page, 'sso')).toEqual([]);
    // The provider's form, filled with what is stored (the client secret stays a reference).
    await page.getByRole('button', { name: 'Edit local' }).click();
    const form = page.getByRole('form', { name: 'Edit local' });
    expect(await form.getByLabel('Issuer URL *').inputValue()).toBe(idp.issuer);
    expect(await form.getByLabel('Client secret').inputValue()).toBe('${secret:LOCAL_IDP_SECRET}');
    expect(await checkScreen(page, 'sso-edit')).toEqual([]);
    await context.close();
  }, 60_000);
});
