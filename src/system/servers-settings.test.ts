import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServersTestApp, type ServersTestApp } from '../../test/helpers/servers-app.js';
import { serversSettings } from './system-runtime.js';

/** MCP defaults follow the runtime settings, however often the object carrying them is spread or passed on. */

describe('serversSettings', () => {
  it('reads the settings at each call, also through a spread copy', () => {
    const values: Record<string, number> = { 'mcp.timeout_seconds': 30, 'mcp.max_retries': 3 };
    const settings = { get: (key: string) => values[key] } as unknown as Parameters<typeof serversSettings>[1];
    const config = { dataDir: '/tmp/x', metricsIntervalMs: 5000 } as Parameters<typeof serversSettings>[0];
    const passedOn = { ...{ ...serversSettings(config, settings) } };
    values['mcp.timeout_seconds'] = 7;
    values['mcp.max_retries'] = 9;
    expect(passedOn.mcpDefaults()).toEqual({ timeoutMs: 7000, maxRetries: 9 });
  });
});

describe('a runtime settings change', () => {
  let t: ServersTestApp;
  beforeAll(async () => {
    t = await createServersTestApp();
  }, 60_000);
  afterAll(async () => t.closeAndCheck(), 60_000);

  it('reaches a server created afterwards without its own values (the definition the supervisor is given)', async () => {
    const put = await t.call('PUT', '/system/config', { 'mcp.timeout_seconds': 7, 'mcp.max_retries': 9 });
    expect(put.statusCode, put.body).toBe(200);
    const created = await t.call('POST', '/tools', { name: 'defaults', command: process.execPath, args: ['-e', ''] });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ timeout_ms: 7000, max_retries: 9 });
  });
});
