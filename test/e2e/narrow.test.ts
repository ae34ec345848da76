import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { WELL_BEHAVED } from '../helpers/gateway-app.js';
import { needs } from '../helpers/needs.js';
import { checkScreen, type ConsoleHarness, signIn, startConsole, watchPage } from './console-harness.js';

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

/** The page's own sideways overflow, and what sticks out (to say what to fix when it fails). */
async function sidewaysOverflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; offenders: string[] }> {
  return page.evaluate<{ scrollWidth: number; innerWidth: number; offenders: string[] }>(`(() => {
    const innerWidth = window.innerWidth;
    const offenders = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > innerWidth + 1 && !el.closest('.table-wrap.virtual, pre'))
      .slice(0, 5)
      .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '') + ' ' + Math.round(el.getBoundingClientRect().right));
    return { scrollWidth: document.scrollingElement.scrollWidth, innerWidth, offenders };
  })()`);
}

/** Waits until the screen's data is in (no "Loading…" left). */
async function settled(page: Page, heading: string): Promise<void> {
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  await page.getByRole('status').filter({ hasText: 'Loading…' }).first().waitFor({ state: 'detached', timeout: 20_000 }).catch(() => {});
  await page.getByText('Loading…').first().waitFor({ state: 'detached', timeout: 20_000 });
}

/**
 * Every main screen on a phone (390×844) and at 1280×800: no sideways page scroll, 0 serious or
 * critical axe violations in both themes (screenshots `narrow-*` for review); on the phone the
 * navigation folds behind its menu button, tables become cards, a dialog fits the screen.
 */
describe.skipIf(!needs('chromium'))('web console: narrow window (Chromium)', () => {
  let h: ConsoleHarness;

  beforeAll(async () => {
    h = await startConsole();
    const headers = await h.t.login();
    const post = async (url: string, payload?: object) => {
      const res = await h.t.app.inject({ method: 'POST', url: `/api/v1${url}`, headers, payload });
      expect(res.statusCode, res.body).toBeLessThan(300);
    };
    await post('/tools', { name: 'narrow-fixture-long-name-32chars', transport: 'stdio', command: process.execPath, args: [WELL_BEHAVED], restart_policy: 'never' });
    await post('/tools/narrow-fixture-long-name-32chars/start');
    await post('/tools/narrow-fixture-long-name-32chars/call', { tool: 'echo', arguments: { message: 'a message long enough to need wrapping on a phone screen, surely' } });
    await post('/system/backups', { label: 'narrow-backup' });
    // A batch, so the Jobs screen shows a row (a progress bar in a card).
    await h.t.ctx.jobs.start();
    await post('/jobs', { operation: 'call_tool', params: { server: 'narrow-fixture-long-name-32chars', tool: 'echo', inputs: [{ message: 'narrow' }] } });
    await post('/secrets', { name: 'NARROW_API_TOKEN', value: 'not-shown-anywhere', description: 'A token with a description long enough to wrap on a phone screen' });
    await post('/gateway/api-keys', { name: 'narrow-key', role: 'operator', allowed_tools: ['narrow-fixture-long-name-32chars__echo'] });
    // A firing alert with long labels, received through an Alertmanager webhook receiver.
    await post('/alerts/receivers', { name: 'narrow-am', kind: 'alertmanager', token: '${secret:NARROW_API_TOKEN}' });
    const hook = await h.t.app.inject({
      method: 'POST', url: '/api/v1/webhooks/alertmanager?receiver=narrow-am', headers: { authorization: 'Bearer not-shown-anywhere', 'content-type': 'application/json' },
      payload: { version: '4', status: 'firing', alerts: [{ status: 'firing', labels: { alertname: 'NarrowFixtureAlertWithALongName', instance: 'a-rather-long-host-name.example.internal:9100', severity: 'critical' }, annotations: { summary: 'long enough to wrap on a phone' }, startsAt: new Date().toISOString() }] },
    });
    expect(hook.statusCode, hook.body).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  const screens = [
    { nav: 'Overview', heading: 'Overview', name: 'overview' },
    { nav: 'Servers', heading: 'Servers', name: 'servers' },
    { nav: 'Secrets', heading: 'Secrets', name: 'secrets' },
    { nav: 'Logs', heading: 'Logs', name: 'logs' },
    { nav: 'Alerts', heading: 'Alerts', name: 'alerts' },
    { nav: 'Gateway', heading: 'Gateway', name: 'gateway' },
    { nav: 'Storage', heading: 'Storage', name: 'storage' },
    { nav: 'Log analysis', heading: 'Log analysis', name: 'analysis' },
    { nav: 'Jobs', heading: 'Jobs', name: 'jobs' },
    { nav: 'System', heading: 'System', name: 'system' },
  ];

  it('at 390×844 every main screen fits without sideways scroll and passes axe; the menu button opens and folds the navigation', async () => {
    const context = await h.browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    const problems = watchPage(page);
    const a11y: string[] = [];
    const overflow: string[] = [];

    await page.goto(`${h.base}/`);
    await page.getByLabel('Username').waitFor();
    a11y.push(...(await checkScreen(page, 'narrow-signin')));
    const signin = await sidewaysOverflow(page);
    if (signin.scrollWidth > signin.innerWidth) overflow.push(`signin: ${JSON.stringify(signin)}`);
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);

    const menu = page.getByRole('button', { name: 'Menu' });
    for (const s of screens) {
      // Folded: the links are hidden until the menu button opens them; choosing one folds them again.
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await page.getByRole('link', { name: s.nav, exact: true }).isVisible()).toBe(false);
      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      await page.getByRole('link', { name: s.nav, exact: true }).click();
      await settled(page, s.heading);
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      if (s.name === 'overview') {
        // The last backup (made above), the recent errors, and the firing alerts card (the webhook's alert).
        await page.getByRole('region', { name: 'Last backup' }).getByText(/manual/).waitFor();
        await page.getByRole('heading', { name: 'Recent errors' }).waitFor();
        await page.getByRole('region', { name: 'Firing alerts' }).getByText('critical').waitFor();
        expect(await page.getByRole('region', { name: 'Firing alerts' }).textContent()).toMatch(/^Firing alerts1critical1All alerts$/);
      }
      if (s.name === 'alerts') {
        await page.getByRole('row', { name: /NarrowFixtureAlertWithALongName/ }).waitFor();
      }
      const o = await sidewaysOverflow(page);
      if (o.scrollWidth > o.innerWidth) overflow.push(`${s.name}: ${JSON.stringify(o)}`);
      a11y.push(...(await checkScreen(page, `narrow-${s.name}`)));
    }

    // The logs' long, virtualised table: it scrolls sideways inside its own box, never the page.
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('link', { name: 'Logs', exact: true }).click();
    await page.getByRole('tab', { name: 'Operations' }).click();
    await page.getByRole('cell', { name: 'backup.create' }).first().waitFor();
    const logs = await sidewaysOverflow(page);
    if (logs.scrollWidth > logs.innerWidth) overflow.push(`logs (operations): ${JSON.stringify(logs)}`);
    a11y.push(...(await checkScreen(page, 'narrow-logs-operations')));

    // A server's page.
    await menu.click();
    await page.getByRole('link', { name: 'Servers', exact: true }).click();
    await page.getByRole('link', { name: 'narrow-fixture-long-name-32chars' }).click();
    await page.getByRole('heading', { name: 'narrow-fixture-long-name-32chars', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Tool tester' }).waitFor({ timeout: 20_000 });
    const server = await sidewaysOverflow(page);
    if (server.scrollWidth > server.innerWidth) overflow.push(`server page: ${JSON.stringify(server)}`);
    a11y.push(...(await checkScreen(page, 'narrow-server-page')));

    // The alerts screen's other views, and an alert's dialog, on the phone.
    await menu.click();
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.getByRole('button', { name: /^Details of NarrowFixtureAlertWithALongName/ }).click();
    const alertDialog = page.getByRole('dialog', { name: 'Alert NarrowFixtureAlertWithALongName' });
    await alertDialog.getByRole('heading', { name: 'Timeline' }).waitFor();
    const alertBox = (await alertDialog.boundingBox())!;
    expect(alertBox.x).toBeGreaterThanOrEqual(0);
    expect(alertBox.x + alertBox.width).toBeLessThanOrEqual(PHONE.width);
    a11y.push(...(await checkScreen(page, 'narrow-alert-detail')));
    await alertDialog.getByRole('button', { name: 'Close' }).click();
    for (const tab of ['Silences', 'Receivers', 'Inhibition rules', 'Routing']) {
      await page.getByRole('tab', { name: tab }).click();
      // Polled with page.evaluate: waitForFunction's string predicate is eval'd, which the CSP refuses.
      await expect.poll(() => page.evaluate<boolean>('![...document.querySelectorAll("[role=status]")].some((e) => e.textContent.includes("Loading"))'), { timeout: 15_000 }).toBe(true);
      if (tab === 'Receivers') await page.getByRole('row', { name: /narrow-am/ }).waitFor();
      const o = await sidewaysOverflow(page);
      if (o.scrollWidth > o.innerWidth) overflow.push(`alerts ${tab}: ${JSON.stringify(o)}`);
      a11y.push(...(await checkScreen(page, `narrow-alerts-${tab.toLowerCase().replace(/ /g, '-')}`)));
    }

    expect(overflow).toEqual([]);
    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 180_000);

  it('on a phone tables are cards with each value under its column\'s name, and a dialog fits the screen', async () => {
    const context = await h.browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    const problems = watchPage(page);
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.goto(`${h.base}/system`);
    await settled(page, 'System');
    const row = page.getByRole('row', { name: /narrow-backup/ });
    await row.waitFor();
    // One card per row: the row spans the width, its cells stack, each labelled by its column.
    const cell = row.getByRole('cell').first();
    expect(await cell.evaluate((el) => (globalThis as any).getComputedStyle(el).display as string)).toBe('block');
    expect(await cell.evaluate((el) => (globalThis as any).getComputedStyle(el, '::before').content as string)).toBe('"Backup"');
    const rowBox = (await row.boundingBox())!;
    expect(rowBox.x).toBeGreaterThanOrEqual(0);
    expect(rowBox.x + rowBox.width).toBeLessThanOrEqual(PHONE.width);
    const cells = await row.getByRole('cell').all();
    const tops = await Promise.all(cells.map(async (c) => (await c.boundingBox())!.y));
    expect(tops).toEqual([...tops].sort((a, b) => a - b));

    await row.getByRole('button', { name: 'Delete narrow-backup' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete backup narrow-backup?' });
    await dialog.waitFor();
    const box = (await dialog.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    expect(box.y + box.height).toBeLessThanOrEqual(PHONE.height);
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // Back to 1280×800: a real table again, and the navigation always shown.
    await page.setViewportSize(DESKTOP);
    expect(await cell.evaluate((el) => (globalThis as any).getComputedStyle(el).display as string)).toBe('table-cell');
    expect(await page.getByRole('button', { name: 'Menu' }).isVisible()).toBe(false);
    expect(await page.getByRole('link', { name: 'Gateway', exact: true }).isVisible()).toBe(true);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it('at 1280×800 no main screen scrolls sideways either', async () => {
    const context = await h.browser.newContext({ viewport: DESKTOP });
    const page = await context.newPage();
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    const overflow: string[] = [];
    for (const s of screens) {
      await page.getByRole('link', { name: s.nav, exact: true }).click();
      await settled(page, s.heading);
      const o = await sidewaysOverflow(page);
      if (o.scrollWidth > o.innerWidth) overflow.push(`${s.name}: ${JSON.stringify(o)}`);
    }
    expect(overflow).toEqual([]);
    await context.close();
  }, 90_000);
});
