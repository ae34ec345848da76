import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { WELL_BEHAVED } from '../helpers/gateway-app.js';
import { needs } from '../helpers/needs.js';
import { checkScreen, type ConsoleHarness, signIn, startConsole, watchPage } from './console-harness.js';

/**
 * The Gateway screen's administration in a real browser, with a real MCP client connected through the
 * gateway: an API key's allowlist edited after creation (a call refused, then allowed, then refused
 * again in the same open session), and the client's session listed and ended from the screen.
 */
describe.skipIf(!needs('chromium'))('web console: gateway allowlists and sessions (Chromium)', () => {
  let h: ConsoleHarness;
  let headers: Record<string, string>;
  let key: string;
  let client: Client;

  beforeAll(async () => {
    h = await startConsole();
    headers = await h.t.login();
    const res = await h.t.app.inject({
      method: 'POST',
      url: '/api/v1/tools',
      headers,
      payload: { name: 'wb', transport: 'stdio', command: process.execPath, args: [WELL_BEHAVED], restart_policy: 'never' },
    });
    expect(res.statusCode, res.body).toBe(201);
    expect((await h.t.app.inject({ method: 'POST', url: '/api/v1/tools/wb/start', headers })).statusCode).toBe(200);
    const created = await h.t.app.inject({ method: 'POST', url: '/api/v1/gateway/api-keys', headers, payload: { name: 'e2e-agent', role: 'operator', allowed_servers: ['wb'], allowed_tools: ['wb__echo'] } });
    expect(created.statusCode, created.body).toBe(201);
    key = created.json<{ key: string }>().key;
    client = new Client({ name: 'e2e-agent-client', version: '2.3.4' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${h.base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  }, 120_000);
  afterAll(async () => {
    await client?.close().catch(() => {});
    await h?.close();
  });

  const add = () => client.callTool({ name: 'wb__add', arguments: { a: 2, b: 3 } });
  const echo = () => client.callTool({ name: 'wb__echo', arguments: { message: 'still here' } });

  it('an admin edits a key\'s allowlist after creation: the open session is refused, then allowed, then refused a tool', async () => {
    await expect(add()).rejects.toThrow(/not allowed for this API key/);
    expect(JSON.stringify((await echo()).content)).toContain('still here');

    const context = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = watchPage(page);
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Gateway' }).click();
    const row = page.getByRole('row', { name: /e2e-agent/ });
    await row.getByText('Allowed servers: wb; Allowed tools: wb__echo').waitFor();

    await row.getByRole('button', { name: 'Edit allowlist of e2e-agent' }).click();
    let dialog = page.getByRole('dialog', { name: 'Allowlist of e2e-agent' });
    expect(await dialog.getByLabel('Allowed tools').inputValue()).toBe('wb__echo');
    await dialog.getByLabel('Allowed tools').fill('wb__echo\nwb__add');
    const a11y = await checkScreen(page, 'gateway-edit-allowlist');
    await dialog.getByRole('button', { name: 'Save allowlist' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByText('Allowed servers: wb; Allowed tools: wb__echo, wb__add').waitFor();
    expect(JSON.stringify((await add()).content)).toContain('5');

    // A bad pattern: the API's reason, nothing changed.
    await row.getByRole('button', { name: 'Edit allowlist of e2e-agent' }).click();
    dialog = page.getByRole('dialog', { name: 'Allowlist of e2e-agent' });
    await dialog.getByLabel('Allowed servers').fill('bad name!');
    await dialog.getByRole('button', { name: 'Save allowlist' }).click();
    await dialog.getByRole('alert').waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // Narrowed again to add only: echo is refused in the same session.
    await row.getByRole('button', { name: 'Edit allowlist of e2e-agent' }).click();
    dialog = page.getByRole('dialog', { name: 'Allowlist of e2e-agent' });
    await dialog.getByLabel('Allowed servers').fill('');
    await dialog.getByLabel('Allowed tools').fill('wb__add');
    await dialog.getByRole('button', { name: 'Save allowlist' }).click();
    await row.getByText('Allowed servers: all; Allowed tools: wb__add').waitFor();
    await expect(echo()).rejects.toThrow(/not allowed for this API key/);
    expect(JSON.stringify((await add()).content)).toContain('5');

    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it('lists the client\'s session (key, client, started, last activity) and ends it: the client is cut off', async () => {
    const listed = await h.t.app.inject({ method: 'GET', url: '/api/v1/gateway/sessions', headers });
    const session = listed.json<{ items: { id: string; principal: { name: string } }[] }>().items.find((s) => s.principal.name === 'e2e-agent');
    expect(session).toBeDefined();

    const context = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const problems = watchPage(page);
    await signIn(page, h.base, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Gateway' }).click();
    const sessions = page.getByRole('region', { name: 'Client sessions' });
    const row = sessions.getByRole('row', { name: /e2e-agent/ });
    await row.getByText('e2e-agent-client 2.3.4').waitFor();
    await row.getByText(session!.id.slice(0, 8)).waitFor();
    expect(await page.getByText(session!.id).count()).toBe(0);
    const a11y = await checkScreen(page, 'gateway-sessions');

    await row.getByRole('button', { name: /^End session e2e-agent/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'End session' }).click();
    await row.waitFor({ state: 'detached' });
    await sessions.getByText('No client is connected to the gateway.').waitFor();
    const after = await h.t.app.inject({ method: 'GET', url: '/api/v1/gateway/sessions', headers });
    expect(after.json<{ items: { id: string }[] }>().items.some((s) => s.id === session!.id)).toBe(false);
    await expect(add()).rejects.toThrow();

    expect(a11y).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);
});
