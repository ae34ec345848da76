import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { type HttpReceiver, startHttpReceiver } from '../helpers/http-receiver.js';
import { needs } from '../helpers/needs.js';
import { checkScreen, type ConsoleHarness, signIn, startConsole, watchPage } from './console-harness.js';

const HOOK_KEY = 'e2e-hook-signing-key-5d19a0';

/** Waits until the element's text (read with textContent: text locators fail after axe ran) passes `test`. */
async function textOf(locator: Locator, test: (text: string) => boolean): Promise<string> {
  let last = '';
  await expect.poll(async () => {
    last = (await locator.textContent()) ?? '';
    return test(last);
  }, { timeout: 15_000 }).toBe(true);
  return last;
}

/**
 * The Alerts screen's notification tabs in a real browser: an admin creates webhook channels (the signing
 * key picked as a secret reference) pointing at local receivers, sends a test to each (delivered; refused
 * with HTTP 400), reads both in the delivery log, sees the API's refusal, deletes one; an operator sees the
 * tabs and can send a test but not create or delete; axe in both themes on every view.
 */
describe.skipIf(!needs('chromium'))('web console: notification channels and deliveries (Chromium)', () => {
  let h: ConsoleHarness;
  let ok: HttpReceiver;
  let bad: HttpReceiver;
  let headers: Record<string, string>;

  beforeAll(async () => {
    ok = await startHttpReceiver(() => ({ status: 200, body: { ok: true } }));
    bad = await startHttpReceiver(() => ({ status: 400, body: 'bad payload e2e' }));
    h = await startConsole({ MCPS_OUTBOUND_ALLOW: '127.0.0.1' });
    headers = await h.t.login();
    const res = await h.t.app.inject({ method: 'POST', url: '/api/v1/secrets', headers, payload: { name: 'HOOK_KEY', value: HOOK_KEY } });
    expect(res.statusCode, res.body).toBeLessThan(300);
    await h.t.ctx.users.create({ username: 'e2e-operator', password: 'e2e-operator-password', role: 'operator' });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await ok?.close();
    await bad?.close();
  });

  async function newPage(): Promise<{ page: Page; problems: string[] }> {
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    return { page, problems: watchPage(page) };
  }

  async function createWebhook(page: Page, name: string, url: string, signed: boolean) {
    const form = page.getByRole('form', { name: 'Create a channel' });
    await form.getByLabel('Name *').fill(name);
    await form.getByLabel('Kind *').selectOption('webhook');
    await form.getByLabel('URL *').fill(url);
    if (signed) await form.getByLabel('Signing secret').selectOption({ label: '${secret:HOOK_KEY}' });
    await form.getByRole('button', { name: 'Create channel' }).click();
    await page.getByRole('row', { name: new RegExp(`^${name} `) }).waitFor();
  }

  it('an admin creates webhook channels, sends tests (delivered; failed with the error), reads the delivery log, deletes one', async () => {
    const { page, problems } = await newPage();
    const a11y: string[] = [];
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.getByRole('tab', { name: 'Channels' }).click();
    await page.getByText('No channel yet.').waitFor();
    await page.locator('details:has(form[aria-label="Create a channel"]) > summary').click();

    // Each kind shows its own fields.
    const form = page.getByRole('form', { name: 'Create a channel' });
    await form.getByLabel('Kind *').selectOption('telegram');
    await form.getByLabel('Bot token *').waitFor();
    expect(await form.getByLabel('Chat id or @channel *').count()).toBe(1);
    await form.getByLabel('Kind *').selectOption('email');
    expect(await form.getByLabel('SMTP host *').count()).toBe(1);
    expect(await form.getByLabel('Password', { exact: true }).locator('option').allTextContents()).toEqual(['(none)', '${secret:HOOK_KEY}']);
    a11y.push(...(await checkScreen(page, 'notify-create')));

    await createWebhook(page, 'ops-hook', `${ok.url}/hook`, true);
    await createWebhook(page, 'bad-hook', `${bad.url}/hook`, false);
    const row = page.getByRole('row', { name: /^ops-hook / });
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('Webhook');
    expect(await row.getByRole('cell').nth(2).textContent()).toBe('en');
    expect(await row.getByRole('cell').nth(3).textContent()).toBe('Yes');

    // A name taken: the API's detail in the form.
    await form.getByLabel('Name *').fill('ops-hook');
    await form.getByLabel('URL *').fill(`${ok.url}/hook`);
    await form.getByRole('button', { name: 'Create channel' }).click();
    await textOf(form.getByRole('alert'), (t) => t.includes("notification channel 'ops-hook' already exists"));

    // Send test: the receiver gets the signed POST, the screen says delivered.
    await page.getByRole('button', { name: 'Send test to ops-hook' }).click();
    const status = page.locator('p.test-outcome');
    await textOf(status, (t) => t === 'Test message to ops-hook: delivered');
    expect(ok.requests).toHaveLength(1);
    expect(ok.requests[0]!.method).toBe('POST');
    expect(ok.requests[0]!.json).toMatchObject({ title: 'MCPS.ONE test notification', severity: 'info', text: 'Channel ops-hook delivers.' });
    expect(ok.requests[0]!.headers['x-mcps-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);

    // The receiver answering 400: failed, with the error and its code.
    await page.getByRole('button', { name: 'Send test to bad-hook' }).click();
    const failedText = await textOf(status, (t) => t.startsWith('Test message to bad-hook: failed'));
    expect(failedText).toContain('HTTP 400: bad payload e2e (400)');
    expect(bad.requests).toHaveLength(1);
    a11y.push(...(await checkScreen(page, 'notify-channels')));

    // The delivery log.
    await page.getByRole('tab', { name: 'Deliveries' }).click();
    const good = page.getByRole('row', { name: /ops-hook/ });
    await good.waitFor();
    const cells = async (r: Locator) => (await r.getByRole('cell').allTextContents());
    expect((await cells(good)).slice(1)).toEqual(['ops-hook', 'MCPS.ONE test notification', 'info', 'delivered', '1', '—']);
    expect((await cells(page.getByRole('row', { name: /bad-hook/ }))).slice(1)).toEqual(['bad-hook', 'MCPS.ONE test notification', 'info', 'failed', '1', 'HTTP 400: bad payload e2e (400)']);
    a11y.push(...(await checkScreen(page, 'notify-deliveries')));

    // Refreshed without a reload: a message sent by the API shows up within the 5 s refresh.
    const sent = await h.t.app.inject({ method: 'POST', url: '/api/v1/notifications/channels/ops-hook/test', headers });
    expect(sent.statusCode, sent.body).toBe(200);
    await expect.poll(async () => page.getByRole('row', { name: /ops-hook/ }).count(), { timeout: 12_000 }).toBe(2);

    // Delete with a confirmation.
    await page.getByRole('tab', { name: 'Channels' }).click();
    await page.getByRole('button', { name: 'Delete channel bad-hook' }).click();
    await page.getByRole('dialog', { name: 'Delete channel bad-hook?' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('row', { name: /^bad-hook / }).waitFor({ state: 'detached' });
    const left = await h.t.app.inject({ method: 'GET', url: '/api/v1/notifications/channels', headers });
    expect(left.json<{ items: { name: string }[] }>().items.map((c) => c.name)).toEqual(['ops-hook']);

    // A channel deleted behind the screen's back: Send test shows the API's problem+json detail.
    await page.locator('details:has(form[aria-label="Create a channel"]) > summary').click();
    await createWebhook(page, 'gone-hook', `${ok.url}/hook`, false);
    const del = await h.t.app.inject({ method: 'DELETE', url: '/api/v1/notifications/channels/gone-hook', headers });
    expect(del.statusCode, del.body).toBeLessThan(300);
    await page.getByRole('button', { name: 'Send test to gone-hook' }).click();
    await textOf(page.locator('.test-outcome').getByRole('alert'), (t) => /Notification channel .* not found/i.test(t));

    expect(await page.content()).not.toContain(HOOK_KEY);
    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 180_000);

  it('an operator sees channels and deliveries and can send a test, without create or delete', async () => {
    const { page, problems } = await newPage();
    const a11y: string[] = [];
    await signIn(page, h.base, 'e2e-operator', 'e2e-operator-password');
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.getByRole('tab', { name: 'Channels' }).click();
    await page.getByRole('row', { name: /^ops-hook / }).waitFor();
    expect(await page.getByRole('form').count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Delete/ }).count()).toBe(0);
    await page.getByRole('button', { name: 'Send test to ops-hook' }).click();
    await textOf(page.locator('p.test-outcome'), (t) => t === 'Test message to ops-hook: delivered');
    a11y.push(...(await checkScreen(page, 'notify-channels-operator')));
    await page.getByRole('tab', { name: 'Deliveries' }).click();
    await expect.poll(async () => page.getByRole('row', { name: /ops-hook/ }).count(), { timeout: 12_000 }).toBe(3);
    a11y.push(...(await checkScreen(page, 'notify-deliveries-operator')));

    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('on a phone (390×844) the channels form and the delivery log do not scroll the page sideways', async () => {
    const context = await h.browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const problems = watchPage(page);
    const sideways = () => page.evaluate<boolean>('document.scrollingElement.scrollWidth > window.innerWidth');
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.goto(`${h.base}/alerts`);
    await page.getByRole('tab', { name: 'Channels' }).click();
    await page.getByRole('row', { name: /ops-hook/ }).waitFor();
    await page.locator('details:has(form[aria-label="Create a channel"]) > summary').click();
    await page.getByRole('form', { name: 'Create a channel' }).getByLabel('Kind *').selectOption('email');
    expect(await sideways()).toBe(false);
    await page.getByRole('tab', { name: 'Deliveries' }).click();
    await page.getByRole('row', { name: /ops-hook/ }).first().waitFor();
    expect(await sideways()).toBe(false);
    const a11y = await checkScreen(page, 'notify-deliveries-narrow');
    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('a viewer (no notify:read) does not see the tabs', async () => {
    await h.t.ctx.users.create({ username: 'e2e-viewer', password: 'e2e-viewer-password', role: 'viewer' });
    const { page, problems } = await newPage();
    await signIn(page, h.base, 'e2e-viewer', 'e2e-viewer-password');
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.getByRole('tab', { name: 'Routing' }).waitFor();
    expect(await page.getByRole('tab', { name: 'Channels' }).count()).toBe(0);
    expect(await page.getByRole('tab', { name: 'Deliveries' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);
});
