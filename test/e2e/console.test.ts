import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogsRepository } from '../../src/logs/logs.repository.js';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { fixturePath } from '../helpers/fixtures.js';
import { needs } from '../helpers/needs.js';
import { checkScreen, type ConsoleHarness, openPage, signIn, startConsole } from './console-harness.js';

/**
 * The web console in a real browser (the system Chromium) against the real platform: sign in, the
 * overview, a fixture server started and its tool called from the tester, logs, a viewer's read-only view,
 * sign-out and an expired session; axe on every screen in both themes.
 */
describe.skipIf(!needs('chromium'))('web console (Chromium)', () => {
  let h: ConsoleHarness;
  let serverId: string;

  beforeAll(async () => {
    h = await startConsole();
    const res = await h.t.app.inject({
      method: 'POST',
      url: '/api/v1/tools',
      headers: await h.t.login(),
      payload: { name: 'e2e-readonly', transport: 'stdio', command: process.execPath, args: [fixturePath('well-behaved')], restart_policy: 'never' },
    });
    expect(res.statusCode, res.body).toBe(201);
    serverId = res.json<{ id: string }>().id;
    await h.t.ctx.users.create({ username: 'e2e-viewer', password: 'e2e-viewer-password', role: 'viewer' });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  const newPage = () => openPage(h);

  it('an admin signs in, sees the overview, registers and starts a server, calls a tool from the tester and reads the logs', async () => {
    const { page, problems } = await newPage();
    const a11y: string[] = [];
    await page.goto(`${h.base}/`);
    await page.getByLabel('Username').waitFor();
    a11y.push(...(await checkScreen(page, 'signin')));
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);

    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByText('Event-loop lag').waitFor();
    a11y.push(...(await checkScreen(page, 'overview')));

    await page.getByRole('link', { name: 'Servers' }).click();
    await page.getByText('Register a server').click();
    await page.getByLabel('Name *').fill('e2e-fixture');
    await page.getByLabel('Command *').fill(process.execPath);
    await page.getByLabel('Arguments (one per line)').fill(fixturePath('well-behaved'));
    await page.getByLabel('Environment (NAME=value, one per line)').fill('FIXTURE_MODE=e2e');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await page.getByText('Registered e2e-fixture.').waitFor();
    const row = page.getByRole('row', { name: /e2e-fixture/ });
    await row.getByRole('button', { name: 'Start e2e-fixture' }).click();
    await row.getByText('running').waitFor({ timeout: 20_000 });
    a11y.push(...(await checkScreen(page, 'servers')));

    await row.getByRole('link', { name: 'e2e-fixture' }).click();
    await page.getByRole('heading', { name: 'Tool tester' }).waitFor({ timeout: 20_000 });
    await page.getByLabel('Tool', { exact: true }).selectOption('echo');
    await page.getByLabel('message *').fill('hello from the browser');
    await page.getByRole('button', { name: 'Call' }).click();
    await expect.poll(() => page.getByTestId('tool-result').textContent()).toBe('hello from the browser');
    a11y.push(...(await checkScreen(page, 'server')));

    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('tab', { name: 'MCP' }).click();
    await page.getByRole('cell', { name: 'tools/call · echo', exact: true }).first().waitFor({ timeout: 10_000 });
    // The request row names its caller (the signed-in user who pressed Call).
    await page.getByRole('row', { name: /tools\/call · echo\s+user:admin/ }).first().waitFor();
    await page.getByRole('tab', { name: 'Operations' }).click();
    await page.getByRole('cell', { name: 'server.call' }).first().waitFor();
    a11y.push(...(await checkScreen(page, 'logs')));
    // A narrow window: the navigation folds behind its menu button (test/e2e/narrow.test.ts checks every screen).
    await page.setViewportSize({ width: 420, height: 800 });
    await page.getByRole('navigation').getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'Servers' }).click();
    await page.getByRole('row', { name: /e2e-fixture/ }).waitFor();
    // The list's CPU and memory of a running server: the value now, beside its trend (samples every 5 s).
    const fixtureRow = page.getByRole('row', { name: /e2e-fixture/ });
    await fixtureRow.getByRole('img', { name: /^CPU trend, now [\d.,]+ %$/ }).waitFor({ timeout: 20_000 });
    await fixtureRow.getByRole('img', { name: /^Memory \(RSS\) trend, now [\d.,]+ MB$/ }).waitFor();
    a11y.push(...(await checkScreen(page, 'servers-narrow')));
    await page.setViewportSize({ width: 1280, height: 800 });

    // Chinese, switchable in place.
    await page.getByLabel('Language').selectOption('zh-CN');
    await page.getByRole('link', { name: '日志', exact: true }).waitFor();
    await page.getByRole('heading', { name: '服务器' }).waitFor();
    await page.getByLabel('语言').selectOption('en');

    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('a long log scrolls through thousands of rows while only the rows in view are in the page', async () => {
    const repo = createLogsRepository(h.t.ctx.db);
    const base = Date.now() - 3_600_000;
    for (let chunk = 0; chunk < 5; chunk++) {
      await repo.insertSystem(Array.from({ length: 400 }, (_, i) => {
        const n = chunk * 400 + i;
        return { time: new Date(base + n).toISOString(), level: 'info', level_num: 30, msg: `bulk row ${n}`, context: null, request_id: null };
      }));
    }
    const { page, problems } = await newPage();
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('textbox', { name: 'Search' }).fill('bulk row');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('cell', { name: 'bulk row 1999', exact: true }).waitFor();
    const region = page.getByRole('region', { name: 'System' });
    // Scroll to the end until the oldest row has been loaded (pages of 200, fetched as the end comes into view).
    await expect
      .poll(async () => {
        await region.evaluate((el) => el.scrollTo(0, el.scrollHeight));
        return page.getByRole('cell', { name: 'bulk row 0', exact: true }).count();
      }, { timeout: 30_000, interval: 300 })
      .toBe(1);
    expect(await region.locator('tbody tr').count()).toBeLessThan(120);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('a viewer sees the servers but no register, start, stop or restart, and no tool tester', async () => {
    await h.t.app.inject({ method: 'POST', url: `/api/v1/tools/${serverId}/start`, headers: await h.t.login() });
    const { page, problems } = await newPage();
    await signIn(page, h.base, 'e2e-viewer', 'e2e-viewer-password');
    await page.getByRole('link', { name: 'Servers' }).click();
    const row = page.getByRole('row', { name: /e2e-readonly/ });
    await row.getByText('running').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.getByRole('button', { name: /^(Start|Stop|Restart)/ }).count()).toBe(0);
    expect(await page.getByText('Register a server').count()).toBe(0);
    await row.getByRole('link', { name: 'e2e-readonly' }).click();
    await page.getByRole('heading', { name: 'Tools' }).waitFor();
    await page.getByText('echo', { exact: true }).waitFor({ timeout: 20_000 });
    expect(await page.getByRole('heading', { name: 'Tool tester' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Start|Stop|Restart|Call)/ }).count()).toBe(0);
    expect(await checkScreen(page, 'server-viewer')).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('signing out says so; a lost connection is shown and recovers; an expired session brings back sign-in with a clear message', async () => {
    const { page, problems } = await newPage();
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You have signed out.').waitFor();

    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    // A lost connection is said, and the page recovers by itself when the platform answers again.
    await page.route('**/api/v1/**', (route) => route.abort('connectionrefused'));
    await page.getByText('Cannot reach the platform').waitFor({ timeout: 15_000 });
    await page.unroute('**/api/v1/**');
    await page.getByText('Cannot reach the platform').waitFor({ state: 'detached', timeout: 15_000 });
    // The session cookie is gone (as when it expires): the next API answer is 401.
    await page.context().clearCookies();
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByText('Your session has expired. Sign in again.').waitFor();
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);
});
