import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH } from '../components.js';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { type DashboardSite, startDashboardSite } from '../helpers/dashboard-site.js';
import { needs } from '../helpers/needs.js';
import { checkScreen, type ConsoleHarness, signIn, startConsole, watchPage } from './console-harness.js';

/** Waits until the element's text (read with textContent: text locators fail after axe ran) passes `test`. */
async function textOf(locator: Locator, test: (text: string) => boolean): Promise<string> {
  let last = '';
  await expect.poll(async () => {
    last = (await locator.textContent()) ?? '';
    return test(last);
  }, { timeout: 30_000 }).toBe(true);
  return last;
}

/**
 * The Dashboards screen in a real browser: an admin saves a dashboard (a page served by the test), captures
 * it (the image shown once taken, loaded from the platform), finds it in the gallery with a download link,
 * deletes the screenshot and the dashboard; a viewer sees the list but no capture button; axe in both themes.
 */
describe.skipIf(!needs('chromium'))('web console: dashboards and screenshots (Chromium)', () => {
  let h: ConsoleHarness;
  let site: DashboardSite;

  beforeAll(async () => {
    site = await startDashboardSite();
    h = await startConsole({ MCPS_OUTBOUND_ALLOW: '127.0.0.1', CHROMIUM_PATH, MCPS_CAPTURE_BROWSERS: '1' });
    await h.t.ctx.users.create({ username: 'e2e-viewer', password: 'e2e-viewer-password', role: 'viewer' });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await site?.close();
  });

  async function newPage(): Promise<{ page: Page; problems: string[] }> {
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    return { page, problems: watchPage(page) };
  }

  it('an admin saves a dashboard, captures it and sees the image, then deletes the screenshot and the dashboard', async () => {
    const { page, problems } = await newPage();
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Dashboards' }).click();
    await page.getByRole('heading', { name: 'Dashboards', level: 1 }).waitFor();
    await textOf(page.locator('main'), (t) => t.includes('No dashboard saved yet.'));
    expect(await checkScreen(page, 'dashboards-empty')).toEqual([]);

    await page.getByText('Save a dashboard').click();
    await page.getByLabel('Name', { exact: true }).fill('green');
    await page.getByLabel('Kind', { exact: true }).selectOption('url');
    await page.getByLabel('Page URL').fill(`${site.base}/plain.html`);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('row', { name: /^green / }).waitFor();

    await page.getByRole('button', { name: 'Capture green' }).click();
    const shown = page.getByRole('status').getByRole('img', { name: 'Screenshot of green' });
    await shown.waitFor({ timeout: 60_000 });
    // Loaded from the platform (GET /screenshots/{id}/file with the session cookie): its natural width is the capture's.
    await expect.poll(() => page.evaluate<number>("document.querySelector('[role=status] img').naturalWidth"), { timeout: 15_000 }).toBe(1600);

    const gallery = page.getByRole('region', { name: 'Screenshots' });
    await gallery.getByRole('img').first().waitFor();
    const link = gallery.getByRole('link', { name: /^Download green / });
    expect(await link.getAttribute('href')).toMatch(/^\/api\/v1\/screenshots\/[^/]+\/file\?download=1$/);
    expect(await checkScreen(page, 'dashboards')).toEqual([]);

    await gallery.getByRole('button', { name: /^Delete the screenshot green / }).click();
    await textOf(gallery, (t) => t.includes('No screenshot yet'));
    await page.getByRole('button', { name: 'Delete green' }).click();
    await page.getByRole('button', { name: 'Delete green for good' }).click();
    await textOf(page.locator('main'), (t) => t.includes('No dashboard saved yet.'));
    expect(problems).toEqual([]);
    await page.context().close();
  }, 180_000);

  it('a viewer sees saved dashboards without capture or delete buttons', async () => {
    const headers = await h.t.login();
    await h.t.app.inject({ method: 'POST', url: '/api/v1/dashboards', headers, payload: { name: 'seen', kind: 'url', url: `${site.base}/plain.html` } });
    const { page, problems } = await newPage();
    await signIn(page, h.base, 'e2e-viewer', 'e2e-viewer-password');
    await page.goto(`${h.base}/dashboards`);
    await page.getByRole('row', { name: /^seen / }).waitFor();
    expect(await page.getByRole('button', { name: 'Capture seen' }).count()).toBe(0);
    expect(await page.getByText('Save a dashboard').count()).toBe(0);
    expect(await checkScreen(page, 'dashboards-viewer')).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);
});
