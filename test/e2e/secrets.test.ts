import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { fixturePath } from '../helpers/fixtures.js';
import { needs } from '../helpers/needs.js';
import { createTestEndpoint, type TestEndpoint } from '../helpers/pipe-endpoint.js';
import { checkScreen, type ConsoleHarness, signIn, startConsole, watchPage } from './console-harness.js';

const FIRST = 'e2e-first-value-5f2c';
const ROTATED = 'e2e-rotated-value-9b1d';
const TOKEN = 'e2e-pipe-token-3a7e';

/**
 * The console's Secrets screen and the server configuration parts in a real browser: a secret created,
 * rotated and revealed with a reason (the reveal in the operation log), a stdio server whose env uses the
 * picked secret, edited; a Claude Desktop file imported; publish and unpublish; operators and viewers see
 * no write controls; axe on each screen and dialog in both themes.
 */
describe.skipIf(!needs('chromium'))('web console: secrets and server configuration (Chromium)', () => {
  let h: ConsoleHarness;
  let headers: Record<string, string>;
  let ep: TestEndpoint;

  const get = async <T>(url: string) => {
    const res = await h.t.app.inject({ method: 'GET', url: `/api/v1${url}`, headers });
    return { status: res.statusCode, body: res.json<T>() };
  };

  beforeAll(async () => {
    h = await startConsole();
    headers = await h.t.login();
    ep = await createTestEndpoint();
    await h.t.ctx.users.create({ username: 'e2e-operator', password: 'e2e-operator-password', role: 'operator' });
    await h.t.ctx.users.create({ username: 'e2e-viewer', password: 'e2e-viewer-password', role: 'viewer' });
  }, 120_000);
  afterAll(async () => {
    await ep?.close();
    await h?.close();
  });

  async function newPage(): Promise<{ page: Page; problems: string[] }> {
    const context = await h.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    return { page, problems: watchPage(page) };
  }

  it('an admin creates a secret, rotates it, and reveals it with a reason that lands in the operation log', async () => {
    const { page, problems } = await newPage();
    const a11y: string[] = [];
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Secrets' }).click();
    await page.getByRole('heading', { name: 'Secrets', level: 1 }).waitFor();
    await page.getByText('No secrets yet.').waitFor();

    await page.getByText('Create a secret').click();
    await page.getByLabel('Name *').fill('e2e-token');
    await page.getByLabel('Description').fill('Token for the e2e fixture');
    await page.getByLabel('Value *', { exact: true }).fill(FIRST);
    await page.getByRole('button', { name: 'Create secret' }).click();
    await page.getByText('Created e2e-token.').waitFor();
    expect(await page.getByLabel('Value *', { exact: true }).inputValue()).toBe('');
    const row = page.getByRole('row', { name: /e2e-token/ });
    await row.getByText('Token for the e2e fixture').waitFor();
    await row.getByRole('cell', { name: 'admin' }).waitFor();
    const panel = page.getByRole('region', { name: 'Secret e2e-token' });
    await panel.getByRole('row', { name: /^1 current/ }).waitFor();
    a11y.push(...(await checkScreen(page, 'secrets')));

    const rotate = panel.getByRole('form', { name: 'Rotate' });
    await rotate.getByLabel('New value (optional)').fill(ROTATED);
    await rotate.getByLabel('Reason *').fill('e2e rotation');
    await rotate.getByRole('button', { name: 'Rotate' }).click();
    await panel.getByText('Stored version 2.').waitFor();
    await panel.getByRole('row', { name: /^2 current/ }).waitFor();
    await panel.getByRole('row', { name: /^1 readable \(overlap\)/ }).waitFor();
    expect(await rotate.getByLabel('New value (optional)').inputValue()).toBe('');
    await page.getByRole('row', { name: /e2e-token/ }).getByRole('cell', { name: '2', exact: true }).waitFor();
    expect(await page.content()).not.toContain(FIRST);

    await panel.getByRole('button', { name: 'Reveal version 2' }).click();
    const reveal = page.getByRole('region', { name: 'Reveal e2e-token version 2' });
    await reveal.getByLabel('Reason *').fill('e2e: check the rotated value');
    a11y.push(...(await checkScreen(page, 'secrets-reveal-reason')));
    await reveal.getByRole('button', { name: 'Reveal value' }).click();
    const value = reveal.getByTestId('secret-value');
    await expect.poll(() => value.textContent()).toBe('••••••••••••');
    expect(await page.content()).not.toContain(ROTATED);
    a11y.push(...(await checkScreen(page, 'secrets-reveal')));
    await reveal.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => value.textContent()).toBe(ROTATED);
    await reveal.getByRole('button', { name: 'Done (forget the value)' }).click();
    await expect.poll(async () => (await page.content()).includes(ROTATED)).toBe(false);
    // Revealed again, then the page left: nothing of it is there when coming back.
    await panel.getByRole('button', { name: 'Reveal version 1' }).click();
    const again = page.getByRole('region', { name: 'Reveal e2e-token version 1' });
    await again.getByLabel('Reason *').fill('e2e: the overlap value');
    await again.getByRole('button', { name: 'Reveal value' }).click();
    await again.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => again.getByTestId('secret-value').textContent()).toBe(FIRST);
    // Left while the next screen's code is still loading, then straight back: the value must not return.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/assets/*.js', async (route) => {
      await held;
      await route.continue();
    });
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('link', { name: 'Secrets' }).click();
    await page.getByRole('row', { name: /e2e-token/ }).waitFor();
    expect(await page.getByTestId('secret-value').count()).toBe(0);
    expect(await page.content()).not.toContain(FIRST);
    release();
    await page.unrouteAll({ behavior: 'wait' });
    await page.getByRole('button', { name: 'e2e-token' }).click();
    await panel.getByRole('button', { name: 'Reveal version 1' }).click();
    await again.getByLabel('Reason *').fill('e2e: the overlap value, again');
    await again.getByRole('button', { name: 'Reveal value' }).click();
    await again.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => again.getByTestId('secret-value').textContent()).toBe(FIRST);
    await page.getByRole('link', { name: 'Logs' }).click();
    await page.getByRole('heading', { name: 'Logs', level: 1 }).waitFor();
    expect(await page.content()).not.toContain(FIRST);
    await page.getByRole('link', { name: 'Secrets' }).click();
    await page.getByRole('row', { name: /e2e-token/ }).waitFor();
    expect(await page.content()).not.toContain(FIRST);
    expect(await page.getByTestId('secret-value').count()).toBe(0);
    await page.getByRole('button', { name: 'e2e-token' }).click();

    const log = await get<{ items: { action: string; target_id: string; actor_name: string; outcome: string; details: Record<string, unknown> }[] }>('/logs/operations?action=secret.reveal');
    expect(log.body.items).toEqual(expect.arrayContaining([
      expect.objectContaining({ action: 'secret.reveal', target_id: 'e2e-token', actor_name: 'admin', outcome: 'success', details: expect.objectContaining({ reason: 'e2e: check the rotated value', version: 2 }) }),
      expect.objectContaining({ action: 'secret.reveal', target_id: 'e2e-token', outcome: 'success', details: expect.objectContaining({ reason: 'e2e: the overlap value', version: 1 }) }),
      expect.objectContaining({ action: 'secret.reveal', target_id: 'e2e-token', outcome: 'success', details: expect.objectContaining({ reason: 'e2e: the overlap value, again', version: 1 }) }),
    ]));
    expect(log.body.items).toHaveLength(3);
    expect(JSON.stringify(log.body)).not.toContain(ROTATED);
    expect(JSON.stringify(log.body)).not.toContain(FIRST);

    // Deleted, listed among the deleted ones, restored.
    await panel.getByRole('button', { name: 'Delete secret' }).click();
    await panel.getByRole('button', { name: 'Restore secret' }).waitFor();
    await page.getByText('No secrets yet.').waitFor();
    await page.getByLabel('Show deleted secrets').check();
    await page.getByRole('row', { name: /e2e-token.*deleted/ }).waitFor();
    await panel.getByRole('button', { name: 'Restore secret' }).click();
    await page.getByRole('row', { name: /e2e-token.*active/ }).waitFor();

    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('an admin registers a stdio server whose env uses a picked secret, edits it, publishes and unpublishes it', async () => {
    const { page, problems } = await newPage();
    const a11y: string[] = [];
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Servers' }).click();
    await page.getByText('Register a server').click();
    await page.getByLabel('Name *').fill('e2e-secretive');
    await page.getByLabel('Command *').fill(process.execPath);
    await page.getByLabel('Arguments (one per line)').fill(fixturePath('well-behaved'));
    const env = page.getByLabel('Environment (NAME=value, one per line)');
    await env.fill('FIXTURE_MODE=e2e');
    await page.getByLabel('Variable').fill('FIXTURE_TOKEN');
    await expect.poll(() => page.getByLabel('Secret', { exact: true }).inputValue()).toBe('e2e-token');
    await page.getByRole('button', { name: 'Use the secret' }).click();
    expect(await env.inputValue()).toBe('FIXTURE_MODE=e2e\nFIXTURE_TOKEN=${secret:e2e-token}');
    a11y.push(...(await checkScreen(page, 'servers-register-secret')));
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    await page.getByText('Registered e2e-secretive.').waitFor();
    expect(await env.inputValue()).toBe('');

    const list = await get<{ items: { id: string; name: string; env: Record<string, string> }[] }>('/tools');
    const server = list.body.items.find((s) => s.name === 'e2e-secretive')!;
    expect(server.env).toEqual({ FIXTURE_MODE: 'e2e', FIXTURE_TOKEN: '${secret:e2e-token}' });

    const notFound: string[] = [];
    page.on('response', (r) => { if (r.status() === 404) notFound.push(r.url()); });
    await page.getByRole('link', { name: 'e2e-secretive' }).click();
    await page.getByRole('heading', { name: 'e2e-secretive' }).waitFor();
    await page.getByText('Edit this server').click();
    const editEnv = page.getByLabel('Environment (NAME=value, one per line)');
    await expect.poll(() => editEnv.inputValue()).toBe('FIXTURE_MODE=e2e\nFIXTURE_TOKEN=${secret:e2e-token}');
    await page.getByLabel('Description').fill('Edited from the console');
    await page.getByLabel('Working directory').fill('/tmp');
    await editEnv.fill('FIXTURE_MODE=edited');
    await page.getByLabel('Variable').fill('API_TOKEN');
    await page.getByRole('button', { name: 'Use the secret' }).click();
    a11y.push(...(await checkScreen(page, 'server-edit')));
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Saved e2e-secretive.', { exact: false }).waitFor();
    const edited = await get<{ description: string; cwd: string; env: Record<string, string> }>(`/tools/${server.id}`);
    expect(edited.body).toMatchObject({ description: 'Edited from the console', cwd: '/tmp', env: { FIXTURE_MODE: 'edited', API_TOKEN: '${secret:e2e-token}' } });

    await page.getByRole('heading', { name: 'Publish to a WebSocket endpoint' }).waitFor();
    await page.getByText('Not published.').waitFor();
    expect(notFound, 'an unpublished server page asks for nothing that is not there').toEqual([]);
    await page.getByLabel('Endpoint *').fill(ep.url(`token=${TOKEN}`));
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    const shown = page.getByTestId('publication-endpoint');
    await expect.poll(() => shown.textContent()).toBe(`ws://127.0.0.1:${ep.port}/mcp/?token=***`);
    await page.getByRole('button', { name: 'Copy the endpoint of e2e-secretive' }).waitFor();
    // The pipe really dials the endpoint with the token, and the page shows it connected.
    expect((await ep.connection(1, 20_000)).url).toBe(`/mcp/?token=${TOKEN}`);
    await page.getByText('connected', { exact: true }).waitFor({ timeout: 20_000 });
    expect(await page.content()).not.toContain(TOKEN);
    expect((await get(`/tools/${server.id}/publish`)).status).toBe(200);
    a11y.push(...(await checkScreen(page, 'server-publish')));
    await page.getByRole('button', { name: 'Unpublish' }).click();
    await page.getByText('Not published.').waitFor();
    expect((await get(`/tools/${server.id}/publish`)).status).toBe(404);

    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('an admin imports a Claude Desktop file and reads per server what was created, updated or skipped', async () => {
    const { page, problems } = await newPage();
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Servers' }).click();
    await page.getByText('Import a Claude Desktop configuration').click();
    const file = {
      mcpServers: {
        'e2e-imported': { command: process.execPath, args: [fixturePath('tiny')], env: { TOKEN: '${secret:e2e-token}' } },
        'e2e-secretive': { command: process.execPath, args: [fixturePath('well-behaved')] },
        'e2e-broken': { args: ['no command and no url'] },
      },
    };
    await page.getByLabel('JSON file').setInputFiles({ name: 'claude_desktop_config.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
    await expect.poll(() => page.getByLabel('Or paste the JSON').inputValue()).toContain('e2e-imported');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('1 created, 1 updated, 1 skipped.').waitFor();
    expect(await page.getByLabel('Or paste the JSON').inputValue()).toBe('');
    const report = page.getByRole('table', { name: 'Import report' });
    await report.getByRole('row', { name: /^e2e-imported e2e-imported created/ }).waitFor();
    await report.getByRole('row', { name: /^e2e-secretive e2e-secretive updated/ }).waitFor();
    await report.getByRole('row', { name: /^e2e-broken .* skipped/ }).waitFor();
    await page.getByRole('link', { name: 'e2e-imported' }).waitFor();
    const a11y = await checkScreen(page, 'servers-import');

    await page.getByLabel('Or paste the JSON').fill('{"mcpServers": ');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText(/Not valid JSON/).waitFor();

    const imported = await get<{ items: { name: string; env: Record<string, string> }[] }>('/tools');
    expect(imported.body.items.find((s) => s.name === 'e2e-imported')?.env).toEqual({ TOKEN: '${secret:e2e-token}' });
    expect(imported.body.items.some((s) => s.name === 'e2e-broken')).toBe(false);
    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('an operator reads secrets and servers but finds no write control; a viewer does not even see the secrets', async () => {
    const { page, problems } = await newPage();
    await signIn(page, h.base, 'e2e-operator', 'e2e-operator-password');
    await page.getByRole('link', { name: 'Secrets' }).click();
    await page.getByRole('button', { name: 'e2e-token' }).click();
    const panel = page.getByRole('region', { name: 'Secret e2e-token' });
    await panel.getByRole('row', { name: /^2 current/ }).waitFor();
    for (const name of ['Create a secret']) expect(await page.getByText(name).count()).toBe(0);
    for (const name of [/^Reveal/, /^Destroy/, 'Rotate', /^Store as version/, 'Delete secret', 'Restore secret']) {
      expect(await page.getByRole('button', { name }).count(), String(name)).toBe(0);
    }
    const a11y = await checkScreen(page, 'secrets-operator');
    await page.getByRole('link', { name: 'Servers' }).click();
    await page.getByRole('link', { name: 'e2e-secretive' }).waitFor();
    expect(await page.getByText('Import a Claude Desktop configuration').count()).toBe(0);
    await page.getByRole('link', { name: 'e2e-secretive' }).click();
    await page.getByText('Not published.').waitFor();
    expect(await page.getByText('Edit this server').count()).toBe(0);
    expect(await page.getByLabel('Endpoint *').count()).toBe(0);
    expect(await page.getByRole('button', { name: /Publish|Unpublish/ }).count()).toBe(0);
    await page.context().close();

    const viewer = await newPage();
    await signIn(viewer.page, h.base, 'e2e-viewer', 'e2e-viewer-password');
    await viewer.page.getByRole('link', { name: 'Servers' }).waitFor();
    expect(await viewer.page.getByRole('link', { name: 'Secrets' }).count()).toBe(0);
    await viewer.page.goto(`${h.base}/secrets`);
    await viewer.page.getByText('Your role cannot open this page.').waitFor();
    await viewer.page.getByRole('link', { name: 'Servers' }).click();
    await viewer.page.getByRole('link', { name: 'e2e-secretive' }).click();
    await viewer.page.getByText('Not published.').waitFor();
    expect(await viewer.page.getByText('Edit this server').count()).toBe(0);
    expect(await viewer.page.getByRole('button', { name: /Publish|Unpublish/ }).count()).toBe(0);
    a11y.push(...(await checkScreen(viewer.page, 'server-viewer')));

    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    expect(viewer.problems).toEqual([]);
    await viewer.page.context().close();
  }, 90_000);
});
