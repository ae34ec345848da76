import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { needs } from '../helpers/needs.js';
import { checkScreen, type ConsoleHarness, signIn, startConsole, watchPage } from './console-harness.js';

const TOKEN = 'e2e-am-token-7c41d2';
const startsAt = new Date(Date.now() - 10 * 60_000).toISOString();

/** An Alertmanager webhook body (payload version 4) with DiskFull firing on db1 (critical) and db2 (warning). */
const amBody = () => ({
  version: '4', groupKey: '{}:{alertname="DiskFull"}', truncatedAlerts: 0, status: 'firing', receiver: 'mcps',
  groupLabels: { alertname: 'DiskFull' }, commonLabels: { alertname: 'DiskFull' }, commonAnnotations: {}, externalURL: 'http://am:9093',
  alerts: ['db1', 'db2'].map((host, i) => ({
    status: 'firing',
    labels: { alertname: 'DiskFull', instance: `${host}:9100`, severity: i === 0 ? 'critical' : 'warning' },
    annotations: { summary: `disk 95% on ${host}` },
    startsAt, endsAt: '0001-01-01T00:00:00Z', generatorURL: 'http://prom.example/graph?g0.expr=disk', fingerprint: `e2e0000000000${i}a`,
  })),
});

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
 * The Alerts screen in a real browser: a receiver created with a token secret, an Alertmanager webhook
 * posted to its URL, the alerts firing on the screen and the overview card, one acknowledged with a note,
 * a silence whose preview lists the alert it mutes, one resolved by hand, an inhibition rule, the routing
 * tree's validation error; a viewer sees no write control; axe in both themes on every view.
 */
describe.skipIf(!needs('chromium'))('web console: alerts (Chromium)', () => {
  let h: ConsoleHarness;
  let headers: Record<string, string>;

  const api = async <T>(method: 'GET' | 'POST', url: string, payload?: object) => {
    const res = await h.t.app.inject({ method, url: `/api/v1${url}`, headers, payload });
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json<T>();
  };
  type AlertRow = { id: string; labels: Record<string, string>; status: string; received_count: number; acked_by: string | null; resolved_by: string | null; silenced_by: string[] };
  const firing = async () => (await api<{ groups: { alerts: AlertRow[] }[] }>('GET', '/alerts?state=firing')).groups.flatMap((g) => g.alerts);
  const byHost = async (host: string) => (await api<{ groups: { alerts: AlertRow[] }[] }>('GET', '/alerts?state=all')).groups.flatMap((g) => g.alerts).find((a) => a.labels['instance'] === `${host}:9100`)!;

  beforeAll(async () => {
    h = await startConsole();
    headers = await h.t.login();
    await api('POST', '/secrets', { name: 'AM_TOKEN', value: TOKEN });
    await h.t.ctx.users.create({ username: 'e2e-viewer', password: 'e2e-viewer-password', role: 'viewer' });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  async function newPage(): Promise<{ page: Page; problems: string[] }> {
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    return { page, problems: watchPage(page) };
  }

  it('an admin creates a receiver, sees the webhook\'s alerts firing, acks one with a note, silences one after the preview, resolves one by hand', async () => {
    const { page, problems } = await newPage();
    const a11y: string[] = [];
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
    await page.getByText('Nothing is firing.').waitFor();

    // A receiver whose bearer token is the stored secret, picked as a reference.
    await page.getByRole('tab', { name: 'Receivers' }).click();
    await page.getByText('Create a receiver').click();
    const form = page.getByRole('form', { name: 'Create a receiver' });
    await form.getByLabel('Name *').fill('prod-am');
    await form.getByLabel('Kind *').selectOption('alertmanager');
    await form.getByLabel('Bearer token').selectOption({ label: '${secret:AM_TOKEN}' });
    await form.getByRole('button', { name: 'Create receiver' }).click();
    const row = page.getByRole('row', { name: /prod-am/ });
    await row.waitFor();
    const url = (await row.locator('code').textContent())!;
    expect(url).toBe(`${h.base}/api/v1/webhooks/alertmanager?receiver=prod-am`);
    expect(await row.textContent()).toContain('${secret:AM_TOKEN}');
    expect(await page.content()).not.toContain(TOKEN);
    a11y.push(...(await checkScreen(page, 'alerts-receivers')));

    // Alertmanager posts (twice: one episode each, received twice); a wrong token is refused.
    const post = (token: string) => fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(amBody()) });
    expect((await post('wrong-token')).status).toBe(401);
    const first = await post(TOKEN);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ receiver: 'prod-am', received: 2, stored: 2 });
    expect(await (await post(TOKEN)).json()).toMatchObject({ duplicates: 2 });

    // Firing, grouped by alertname, received twice; refetched without a reload.
    await page.getByRole('tab', { name: 'Alerts' }).click();
    const group = page.getByRole('region', { name: 'Group alertname="DiskFull"' });
    await textOf(group, (t) => t.includes('2 firing, 0 resolved'));
    const db1 = group.getByRole('row', { name: /db1:9100/ });
    expect(await db1.getByRole('cell').nth(0).textContent()).toBe('critical');
    // A repeat's count is written within a second of its delivery (src/alerts/repeat-deliveries.ts); the list refetches.
    await expect.poll(() => db1.getByRole('cell').nth(3).textContent(), { timeout: 20_000 }).toBe('2');
    expect(await db1.getByRole('cell').nth(4).textContent()).toBe('Firing');
    a11y.push(...(await checkScreen(page, 'alerts')));

    // The overview's card: 2 firing, by severity, a link here.
    await page.getByRole('link', { name: 'Overview', exact: true }).click();
    const card = page.getByRole('region', { name: 'Firing alerts' });
    const cardText = await textOf(card, (t) => t.startsWith('Firing alerts2'));
    expect(cardText).toContain('critical1');
    expect(cardText).toContain('warning1');
    await card.getByRole('link', { name: 'All alerts' }).click();
    await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();

    // Ack db1 with a note: the note is kept, the timeline shows both.
    await page.getByRole('button', { name: /^Details of DiskFull .*db1:9100/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Alert DiskFull' });
    await dialog.getByRole('link', { name: 'Open in the source (generator URL)' }).waitFor();
    await dialog.getByLabel(/^Note/).fill('e2e: freeing space on db1');
    await dialog.getByRole('button', { name: 'Acknowledge' }).click();
    const dialogText = await textOf(dialog, (t) => t.includes('Note by admin: e2e: freeing space on db1'));
    expect(dialogText).toContain('Acknowledged by admin');
    expect(dialogText).toContain('Firing · acknowledged');
    expect(dialogText).toContain('summarydisk 95% on db1');
    expect(await dialog.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
    expect((await byHost('db1')).acked_by).toBe('admin');
    a11y.push(...(await checkScreen(page, 'alerts-detail')));
    await dialog.getByRole('button', { name: 'Close' }).click();

    // A silence: the preview lists what it would mute (anchored regexes) before it is saved.
    await page.getByRole('tab', { name: 'Silences' }).click();
    await page.locator('details:has(form[aria-label="Create a silence"]) > summary').click();
    const sform = page.getByRole('form', { name: 'Create a silence' });
    const preview = sform.getByRole('region', { name: 'Firing alerts it would silence' });
    await sform.getByLabel('Label matchers *').fill('instance=~"db2"');
    await textOf(preview, (t) => t.includes('No firing alert matches.'));
    await sform.getByLabel('Label matchers *').fill('alertname="DiskFull"\ninstance=~"db2:.*"');
    const previewText = await textOf(preview, (t) => t.includes('instance="db2:9100"'));
    expect(previewText).not.toContain('db1');
    await sform.getByLabel('Label matchers *').fill('instance=~"db2:.*"\nnot a matcher');
    await textOf(preview, (t) => t.includes('Not a matcher: not a matcher'));
    expect(await sform.getByRole('button', { name: 'Create silence' }).isDisabled()).toBe(true);
    await sform.getByLabel('Label matchers *').fill('alertname="DiskFull"\ninstance=~"db2:.*"');
    await sform.getByLabel('Or duration (minutes)').fill('30');
    await sform.getByLabel('Comment *').fill('e2e disk swap on db2');
    a11y.push(...(await checkScreen(page, 'alerts-silence-create')));
    await sform.getByRole('button', { name: 'Create silence' }).click();
    const srow = page.getByRole('row', { name: /e2e disk swap on db2/ });
    await srow.waitFor();
    expect(await srow.getByRole('cell').nth(1).textContent()).toBe('active');
    expect((await byHost('db2')).silenced_by).toHaveLength(1);
    expect((await byHost('db1')).silenced_by).toHaveLength(0);
    a11y.push(...(await checkScreen(page, 'alerts-silences')));

    // Back on the alerts: db2 says silenced; resolve db1 by hand.
    await page.getByRole('tab', { name: 'Alerts' }).click();
    await textOf(page.getByRole('region', { name: 'Group alertname="DiskFull"' }).getByRole('row', { name: /db2:9100/ }), (t) => t.includes('Firing · silenced'));
    await page.getByRole('button', { name: /^Details of DiskFull .*db1:9100/ }).click();
    await dialog.getByRole('button', { name: 'Resolve by hand' }).click();
    await textOf(dialog, (t) => t.includes('Resolved by hand by admin'));
    await dialog.getByRole('button', { name: 'Close' }).click();
    expect((await byHost('db1'))).toMatchObject({ status: 'resolved', resolved_by: 'admin' });
    expect((await firing()).map((a) => a.labels['instance'])).toEqual(['db2:9100']);
    await textOf(page.getByRole('region', { name: 'Group alertname="DiskFull"' }), (t) => t.includes('1 firing') && !t.includes('db1'));
    await page.getByLabel('Show', { exact: true }).selectOption('resolved');
    await textOf(page.getByRole('region', { name: 'Group alertname="DiskFull"' }), (t) => t.includes('db1:9100') && t.includes('Resolved'));
    a11y.push(...(await checkScreen(page, 'alerts-history')));

    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 180_000);

  it('an admin creates and deletes an inhibition rule, and sees the routing tree\'s validation error', async () => {
    const { page, problems } = await newPage();
    const a11y: string[] = [];
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.goto(`${h.base}/alerts`);
    await page.getByRole('tab', { name: 'Inhibition rules' }).click();
    await page.getByText('Create an inhibition rule').click();
    const form = page.getByRole('form', { name: 'Create an inhibition rule' });
    await form.getByLabel('Name *').fill('critical-mutes-warning');
    await form.getByLabel(/^Source matchers/).fill('severity="critical"');
    await form.getByLabel(/^Target matchers/).fill('severity="warning"');
    await form.getByLabel(/^Equal labels/).fill('alertname');
    await form.getByRole('button', { name: 'Create rule' }).click();
    const row = page.getByRole('row', { name: /critical-mutes-warning/ });
    await textOf(row, (t) => t.includes('severity="warning"'));
    expect((await api<{ items: { name: string; equal: string[] }[] }>('GET', '/alerts/inhibit-rules')).items).toMatchObject([{ name: 'critical-mutes-warning', equal: ['alertname'] }]);
    a11y.push(...(await checkScreen(page, 'alerts-rules')));
    await row.getByRole('button', { name: 'Delete rule critical-mutes-warning' }).click();
    await page.getByRole('dialog', { name: 'Delete rule critical-mutes-warning?' }).getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await api<{ items: unknown[] }>('GET', '/alerts/inhibit-rules')).items).toEqual([]);

    await page.getByRole('tab', { name: 'Routing' }).click();
    const json = page.getByLabel('Routing tree (JSON)');
    await textOf(json, () => true);
    expect(JSON.parse(await json.inputValue())).toBeTypeOf('object');
    await json.fill('{"receiver": 5');
    await page.getByRole('button', { name: 'Save routing' }).click();
    await textOf(page.getByRole('form', { name: 'Edit the routing tree' }).getByRole('alert'), (t) => t.startsWith('Not JSON'));
    await json.fill('{"group_wait_seconds": "soon"}');
    await page.getByRole('button', { name: 'Save routing' }).click();
    await textOf(page.getByRole('form', { name: 'Edit the routing tree' }).getByRole('alert'), (t) => t.startsWith('Not accepted: ') && t.includes('group_wait_seconds'));
    a11y.push(...(await checkScreen(page, 'alerts-routing')));
    await json.fill('{"receiver": "ops", "group_by": ["alertname", "instance"]}');
    await page.getByRole('button', { name: 'Save routing' }).click();
    await textOf(page.getByRole('form', { name: 'Edit the routing tree' }).getByRole('status'), (t) => t === 'Routing saved.');
    expect(await api('GET', '/alerts/routing')).toMatchObject({ receiver: 'ops', group_by: ['alertname', 'instance'] });

    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('a viewer sees alerts, silences, receivers and routing with no write control', async () => {
    const { page, problems } = await newPage();
    const a11y: string[] = [];
    await signIn(page, h.base, 'e2e-viewer', 'e2e-viewer-password');
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.getByLabel('Group by labels (comma-separated)').fill('alertname, severity');
    await page.getByRole('region', { name: 'Group alertname="DiskFull",severity="warning"' }).getByRole('row', { name: /db2:9100/ }).waitFor();
    await page.getByRole('button', { name: /^Details of DiskFull .*db2:9100/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Alert DiskFull' });
    await dialog.getByRole('heading', { name: 'Timeline' }).waitFor();
    expect(await dialog.getByRole('button').allTextContents()).toEqual(['Close']);
    expect(await dialog.getByRole('textbox').count()).toBe(0);
    a11y.push(...(await checkScreen(page, 'alerts-viewer')));
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('tab', { name: 'Silences' }).click();
    await page.getByRole('row', { name: /e2e disk swap on db2/ }).waitFor();
    expect(await page.getByRole('form').count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Expire/ }).count()).toBe(0);
    await page.getByRole('tab', { name: 'Receivers' }).click();
    await page.getByRole('row', { name: /prod-am/ }).waitFor();
    expect(await page.getByRole('form').count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Delete/ }).count()).toBe(0);
    await page.getByRole('tab', { name: 'Routing' }).click();
    await page.getByLabel('Routing tree (JSON)').waitFor();
    expect(await page.getByRole('textbox').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Save routing' }).count()).toBe(0);
    a11y.push(...(await checkScreen(page, 'alerts-routing-viewer')));

    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);
});
