import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { freePort } from '../helpers/free-port.js';
import { needs } from '../helpers/needs.js';
import { checkScreen, type ConsoleHarness, openPage, signIn, startConsole } from './console-harness.js';

/**
 * The Monitors screen in Chromium: the platform's own health, an admin creates an HTTP monitor on a
 * server the test runs, runs it, sees it up with its uptime, latency chart and state changes, adds a
 * maintenance window, then deletes the monitor (confirmed); the API's problem detail shown for a
 * refused target; a viewer sees the monitors but no Create or Delete. axe: no serious or critical issue.
 */
/** Pixels of the chart's canvas in the chart's accent colour (its line and points; axes and grid are not). */
const ACCENT_PIXELS = `(el) => {
  const canvas = el.querySelector('canvas');
  const probe = document.createElement('span');
  probe.style.color = getComputedStyle(el).getPropertyValue('--accent').trim() || '#2563eb';
  document.body.appendChild(probe);
  const [r, g, b] = getComputedStyle(probe).color.match(/\\d+/g).map(Number);
  probe.remove();
  const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let n = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 128 && Math.abs(px[i] - r) + Math.abs(px[i + 1] - g) + Math.abs(px[i + 2] - b) < 60) n++;
  return n;
}`;

describe.skipIf(!needs('chromium'))('web console: monitors (Chromium)', () => {
  let h: ConsoleHarness;
  let target: Server;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    target = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => target.listen(port, '127.0.0.1', () => r()));
    h = await startConsole();
    await h.t.ctx.users.create({ username: 'mon-viewer', password: 'mon-viewer-password', role: 'viewer' });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await new Promise<void>((r) => target?.close(() => r()));
  });

  it('an admin creates a monitor, runs it, reads its state and history, adds a window and deletes it', async () => {
    const { page, problems } = await openPage(h);
    const a11y: string[] = [];
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Monitors' }).click();
    await page.getByRole('heading', { name: 'Monitors', level: 1 }).waitFor();
    await page.getByText('The platform is healthy.').waitFor();
    expect(await page.getByRole('table', { name: 'Platform health' }).getByRole('row').count()).toBe(5);
    await page.getByText('No monitors yet.').waitFor();
    a11y.push(...(await checkScreen(page, 'monitors (empty)')));

    // A metadata address is refused with the API's detail.
    await page.getByLabel('Name *').fill('meta');
    await page.getByLabel('Target (URL, host:port, name or server)').fill('http://169.254.169.254/');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/cloud metadata address/);

    await page.getByLabel('Name *').fill('local-web');
    await page.getByLabel('Target (URL, host:port, name or server)').fill(`http://127.0.0.1:${port}/`);
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const table = page.getByRole('table', { name: 'Monitors' });
    await table.getByRole('button', { name: 'local-web', exact: true }).click();
    await page.getByRole('heading', { name: 'local-web', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Run now' }).click();
    await expect.poll(() => table.getByRole('row', { name: /local-web/ }).textContent(), { timeout: 20_000 }).toMatch(/Up.*100\.00%/);
    await expect.poll(() => page.getByRole('table', { name: 'State changes' }).textContent(), { timeout: 20_000 }).toMatch(/Unknown → Up/);
    // Nothing is rolled up yet (the check ran a moment ago): the bar of this hour is green and the
    // latency chart has its point, computed from the raw result.
    const bars = page.getByRole('img', { name: 'Uptime per hour, last 24 h' }).locator('span');
    await expect.poll(() => bars.last().getAttribute('title'), { timeout: 20_000 }).toBe('0 h ago: 100.00%');
    expect(await bars.last().getAttribute('style')).toMatch(/background: var\(--ok\)/);
    expect(await bars.count()).toBe(24);
    expect(await page.getByRole('img', { name: 'Latency, last 24 h (ms)' }).count()).toBe(1);
    await expect.poll(() => page.evaluate<number>(`(${ACCENT_PIXELS})(document.querySelector('[aria-label="Latency, last 24 h (ms)"]'))`), { timeout: 20_000 }).toBeGreaterThan(4);

    await page.getByLabel('Comment').fill('deploy');
    await page.getByRole('button', { name: 'Add a maintenance window' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Maintenance windows' }).textContent()).toMatch(/deploy \(active\)/);
    a11y.push(...(await checkScreen(page, 'monitors')));

    await page.getByRole('button', { name: 'Delete local-web' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete the monitor?' });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await page.getByText('No monitors yet.').waitFor();
    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);

  it('a viewer sees monitors and the platform health but cannot create or delete', async () => {
    const headers = await h.t.login();
    const res = await h.t.app.inject({ method: 'POST', url: '/api/v1/monitors', headers, payload: { name: 'seen', check: { kind: 'tcp', target: `127.0.0.1:${port}` } } });
    expect(res.statusCode, res.body).toBe(201);
    const { page, problems } = await openPage(h);
    await signIn(page, h.base, 'mon-viewer', 'mon-viewer-password');
    await page.getByRole('link', { name: 'Monitors' }).click();
    await page.getByRole('table', { name: 'Monitors' }).getByRole('button', { name: 'seen', exact: true }).waitFor();
    expect(await page.getByRole('heading', { name: 'Create a monitor' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Delete seen' }).count()).toBe(0);
    expect(problems).toEqual([]);
  }, 60_000);
});
