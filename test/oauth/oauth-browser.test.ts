import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from '../../src/capture/browser-pool.js';
import { CHROMIUM_PATH } from '../components.js';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { freePort } from '../helpers/free-port.js';
import { WELL_BEHAVED } from '../helpers/gateway-app.js';
import { createServersTestApp, type ServersTestApp } from '../helpers/servers-app.js';
import { TestOAuthClient } from './oauth-client.js';

/**
 * The sign-in and consent pages clicked in the system Chromium, as a person would after an MCP client
 * opened the browser: the SDK client then finishes the flow and calls a tool as that user.
 */

let t: ServersTestApp;
let base: string;
let browser: Browser;
const REDIRECT = 'http://127.0.0.1:1/callback';

beforeAll(async () => {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  t = await createServersTestApp({ MCPS_PUBLIC_URL: base });
  await t.app.listen({ host: '127.0.0.1', port });
  expect((await t.call('POST', '/tools', { name: 'wb', command: process.execPath, args: [WELL_BEHAVED], restart_policy: 'never', timeout_ms: 60_000 })).statusCode).toBe(201);
  const started = await t.call('POST', '/tools/wb/start');
  expect(started.statusCode, started.body).toBe(200);
  t.pids.add(started.json().pid);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.closeAndCheck();
}, 60_000);

describe('OAuth sign-in and consent in Chromium', () => {
  it('signs in, shows the client, the user and the scopes, approves, and the client calls a tool', async () => {
    const oauth = new TestOAuthClient(REDIRECT, 'Inspector-like client');
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { authProvider: oauth });
    await expect(new Client({ name: 'x', version: '1' }).connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    // The client's redirect endpoint: answered here, its URL kept.
    let callback: URL | null = null;
    await page.route('http://127.0.0.1:1/**', async (route) => {
      callback = new URL(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/plain', body: 'done' });
    });
    await page.goto(oauth.authorizationUrl!.href);
    expect(await page.textContent('body')).toContain('Inspector-like client');
    await page.fill('#username', 'admin');
    await page.fill('#password', 'a wrong password');
    await page.click('button[type=submit]');
    expect(await page.textContent('[role=alert]')).toContain('Wrong username or password');
    await page.fill('#password', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForSelector('#allow');
    expect(await page.textContent('#client')).toBe('Inspector-like client');
    expect(await page.textContent('#user')).toBe('admin');
    expect(await page.textContent('#scopes')).toContain('mcp');
    await page.click('#allow');
    await page.waitForURL((u) => u.href.startsWith(REDIRECT), { timeout: 30_000 }).catch(async () => {
      throw new Error(`no redirect to the client; the page shows: ${await page.textContent('body')}`);
    });
    expect((callback as URL | null)?.searchParams.get('code')).toBeTruthy();
    expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    await page.close();

    await transport.finishAuth(callback!.searchParams);
    const client = new Client({ name: 'oauth-browser', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { authProvider: oauth }));
    expect((await client.callTool({ name: 'wb__add', arguments: { a: 20, b: 22 } })).structuredContent).toEqual({ sum: 42 });
    await client.close();
  }, 90_000);
});
