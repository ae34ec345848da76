import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogsRepository } from '../../src/logs/logs.repository.js';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { fixturePath } from '../helpers/fixtures.js';
import { needs } from '../helpers/needs.js';
import { checkScreen, type ConsoleHarness, openPage, signIn, startConsole } from './console-harness.js';

/**
 * The console's live views in a real browser: a tool called from the tester reaches the logs' live
 * tail (SSE) without a reload and opens as a JSON-RPC pair; the server page's live stderr shows the
 * line the fixture writes, its protocol log tab the exchange; axe on each view in both themes.
 */
describe.skipIf(!needs('chromium'))('console live views (Chromium)', () => {
  let h: ConsoleHarness;

  beforeAll(async () => {
    h = await startConsole();
    const headers = await h.t.login();
    const created = await h.t.app.inject({
      method: 'POST',
      url: '/api/v1/tools',
      headers,
      payload: { name: 'e2e-live', transport: 'stdio', command: process.execPath, args: [fixturePath('well-behaved')], env: { FIXTURE_STDERR_ECHO: '1' }, restart_policy: 'never' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const started = await h.t.app.inject({ method: 'POST', url: '/api/v1/tools/e2e-live/start', headers });
    expect(started.statusCode, started.body).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  const newPage = () => openPage(h);

  it('a call from the tester arrives in the live tail without a reload, pairs with its response, and shows on stderr live', async () => {
    const a11y: string[] = [];
    const logs = await newPage();
    await signIn(logs.page, h.base, 'admin', ADMIN_PASSWORD);
    await logs.page.getByRole('link', { name: 'Logs' }).click();
    await logs.page.getByRole('tab', { name: 'MCP' }).click();
    await logs.page.getByLabel('Live tail').check();
    await logs.page.getByRole('status').filter({ hasText: '● Live' }).waitFor({ timeout: 10_000 });
    const navigations: string[] = [];
    logs.page.on('framenavigated', (f) => navigations.push(f.url()));
    // From here the list is not fetched again: new rows can only come from the stream.
    const listFetches: string[] = [];
    logs.page.on('request', (r) => {
      if (r.url().includes('/api/v1/logs/mcp')) listFetches.push(r.url());
    });

    // A second window: the server page, its live stderr open, then a call from the tester.
    const server = await newPage();
    await signIn(server.page, h.base, 'admin', ADMIN_PASSWORD);
    await server.page.goto(`${h.base}/servers/e2e-live`);
    await server.page.getByRole('heading', { name: 'Tool tester' }).waitFor({ timeout: 20_000 });
    await server.page.getByRole('tab', { name: 'Live stderr' }).waitFor();
    await server.page.getByRole('status').filter({ hasText: '● Live' }).waitFor({ timeout: 10_000 });
    await server.page.getByLabel('Tool', { exact: true }).selectOption('echo');
    await server.page.getByLabel('message *').fill('hello live tail');
    await server.page.getByRole('button', { name: 'Call' }).click();
    await expect.poll(() => server.page.getByTestId('tool-result').textContent()).toBe('hello live tail');
    await server.page.getByRole('log', { name: 'Live stderr' }).getByText('echo on stderr: hello live tail').waitFor({ timeout: 10_000 });
    a11y.push(...(await checkScreen(server.page, 'server-live-stderr')));

    // The protocol log tab: the same call as a JSON-RPC exchange.
    await server.page.getByRole('tab', { name: 'Protocol log' }).click();
    const serverCall = server.page.locator('details.exchange', { hasText: 'tools/call' }).first();
    await serverCall.waitFor({ timeout: 10_000 });
    await serverCall.locator('summary').click();
    await serverCall.getByText('hello live tail').first().waitFor();
    a11y.push(...(await checkScreen(server.page, 'server-protocol-log')));

    // Back in the logs window, without a reload: the call is in the live tail.
    await logs.page.getByRole('cell', { name: 'tools/call' }).first().waitFor({ timeout: 10_000 });
    expect(navigations).toEqual([]);
    expect(listFetches).toEqual([]);
    a11y.push(...(await checkScreen(logs.page, 'logs-live')));

    // The JSON-RPC view pairs the request with its response.
    await logs.page.getByRole('button', { name: 'JSON-RPC exchanges' }).click();
    const exchange = logs.page.locator('details.exchange', { hasText: 'tools/call' }).filter({ hasText: 'e2e-live' }).first();
    await exchange.locator('summary').click();
    await exchange.getByText('Request params').waitFor();
    await exchange.getByText('Result').waitFor();
    await expect.poll(async () => (await exchange.locator('pre').allTextContents()).join('\n')).toMatch(/"message": "hello live tail"[\s\S]*"text": "hello live tail"/);
    await expect.poll(() => exchange.locator('summary').textContent()).toMatch(/ok/);
    a11y.push(...(await checkScreen(logs.page, 'logs-jsonrpc')));
    expect(navigations).toEqual([]);

    expect(a11y).toEqual([]);
    expect([...logs.problems, ...server.problems]).toEqual([]);
    await logs.page.context().close();
    await server.page.context().close();
  }, 120_000);

  it('rows arriving live go on top without moving a scrolled view', async () => {
    const repo = createLogsRepository(h.t.ctx.db, h.t.ctx.live.logsWritten);
    const row = (n: number) => ({ time: new Date().toISOString(), level: 'warn', level_num: 40, msg: `scroll row ${n}`, context: null, request_id: null });
    await repo.insertSystem(Array.from({ length: 150 }, (_, i) => row(i)));
    const { page, problems } = await newPage();
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('textbox', { name: 'Search' }).fill('scroll row');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('cell', { name: 'scroll row 149', exact: true }).waitFor();
    await page.getByLabel('Live tail').check();
    await page.getByRole('status').filter({ hasText: '● Live' }).waitFor({ timeout: 10_000 });
    const region = page.getByRole('region', { name: 'System' });
    await region.evaluate((el) => el.scrollTo(0, 40 * 38));
    // The row in the middle of the view, as the reader sees it.
    const rowInView = () => region.evaluate((el) => {
      const box = el.getBoundingClientRect();
      return el.ownerDocument.elementFromPoint(box.left + 20, box.top + box.height / 2)?.closest('tr')?.textContent ?? null;
    });
    // The virtual table renders the rows of a new scroll position a frame later (a spacer row is there first).
    await expect.poll(rowInView, { timeout: 10_000 }).toMatch(/scroll row \d+/);
    const seen = await rowInView();
    const before = await region.evaluate((el) => el.scrollTop);
    await repo.insertSystem(Array.from({ length: 5 }, (_, i) => row(1000 + i)));
    // The five new rows are added above: the view moves down by their height, so the row seen stays put.
    await expect.poll(() => region.evaluate((el) => el.scrollTop), { timeout: 10_000 }).toBeGreaterThan(before);
    expect(await rowInView()).toBe(seen);
    await region.evaluate((el) => el.scrollTo(0, 0));
    await page.getByRole('cell', { name: 'scroll row 1004', exact: true }).waitFor();
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('the time range narrows the list: nothing in a range that ended before the calls', async () => {
    const { page, problems } = await newPage();
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('tab', { name: 'MCP' }).click();
    await page.getByRole('cell', { name: 'tools/call' }).first().waitFor({ timeout: 10_000 });
    await page.getByLabel('Time', { exact: true }).selectOption('custom');
    await page.getByLabel('From').fill('2020-01-01T00:00:00');
    await page.getByLabel('To').fill('2020-01-02T00:00:00');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No log entries match.').waitFor();
    await page.getByLabel('Time', { exact: true }).selectOption('15m');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('cell', { name: 'tools/call' }).first().waitFor();
    expect(await checkScreen(page, 'logs-range')).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 60_000);
});
