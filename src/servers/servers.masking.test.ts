import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServersTestApp, type Headers, type ServersTestApp } from '../../test/helpers/servers-app.js';

/**
 * Literal credentials in server definitions (args, env values, URLs, headers) are masked by shape as
 * well as by name for everyone but admins, on every face that shows a definition.
 */

let t: ServersTestApp;
let viewer: Headers;
let operator: Headers;

const CANARIES = ['sk-live-a1b2c3', 'tok-d4e5f6', 'pw-g7h8i9', 'qk-j1k2l3', 'hv-m4n5o6', 'ado-p7q8'];

beforeAll(async () => {
  t = await createServersTestApp();
  viewer = await t.as('viewer');
  operator = await t.as('operator');
  const stdio = await t.call('POST', '/tools', {
    name: 'creds',
    transport: 'stdio',
    command: 'npx',
    args: ['-y', 'some-mcp-server', '--api-key', 'sk-live-a1b2c3', '--token=tok-d4e5f6', '--port', '8080'],
    env: { DATABASE_URL: 'postgres://app:pw-g7h8i9@db:5432/app', MSSQL: 'Server=db;User Id=sa;Password=ado-p7q8;', MODE: 'fast', API_TOKEN: '${secret:API_TOKEN}' },
  });
  expect(stdio.statusCode, stdio.body).toBe(201);
  const remote = await t.call('POST', '/tools', {
    name: 'remote-creds',
    transport: 'streamable-http',
    url: 'https://mcp.example.com/mcp?key=qk-j1k2l3&team=t1',
    headers: { 'X-Custom-Auth': 'hv-m4n5o6', Authorization: 'Bearer ${secret:REMOTE_TOKEN}' },
  });
  expect(remote.statusCode, remote.body).toBe(201);
});
afterAll(async () => t.closeAndCheck(), 60_000);

const leaked = (body: string) => CANARIES.filter((c) => body.includes(c));

describe('server definitions as shown', () => {
  it.each([['a viewer'], ['an operator']])('%s reads no literal credential in get or list, and sees the references', async (role) => {
    const as = role === 'a viewer' ? viewer : operator;
    const one = await t.call('GET', '/tools/creds', undefined, as);
    expect(one.statusCode).toBe(200);
    expect(leaked(one.body)).toEqual([]);
    expect(one.json()).toMatchObject({
      command: 'npx',
      args: ['-y', 'some-mcp-server', '--api-key', '********', '--token=********', '--port', '8080'],
      env: { DATABASE_URL: 'postgres://app:********@db:5432/app', MSSQL: 'Server=db;User Id=sa;Password=********;', MODE: 'fast', API_TOKEN: '${secret:API_TOKEN}' },
    });
    const remote = await t.call('GET', '/tools/remote-creds', undefined, as);
    expect(leaked(remote.body)).toEqual([]);
    expect(remote.json()).toMatchObject({
      url: 'https://mcp.example.com/mcp?key=********&team=********',
      headers: { 'X-Custom-Auth': '********', Authorization: 'Bearer ${secret:REMOTE_TOKEN}' },
    });
    const list = await t.call('GET', '/tools?limit=100', undefined, as);
    expect(list.statusCode).toBe(200);
    expect(list.json().items).toHaveLength(2);
    expect(leaked(list.body)).toEqual([]);
  });

  it('an admin sees the literal values (env and headers under credential-like names stay masked, as before)', async () => {
    const one = (await t.call('GET', '/tools/creds')).json();
    expect(one.args).toContain('sk-live-a1b2c3');
    expect(one.args).toContain('--token=tok-d4e5f6');
    expect(one.env.DATABASE_URL).toBe('postgres://app:pw-g7h8i9@db:5432/app');
    const remote = (await t.call('GET', '/tools/remote-creds')).json();
    expect(remote.url).toBe('https://mcp.example.com/mcp?key=qk-j1k2l3&team=t1');
    expect(remote.headers['X-Custom-Auth']).toBe('hv-m4n5o6');
    expect(leaked((await t.call('GET', '/tools?limit=100')).body).sort()).toEqual([...CANARIES].sort());
  });

  it('the mcpServers export is for admins only, with the stored values', async () => {
    for (const as of [viewer, operator]) expect((await t.call('GET', '/tools/export', undefined, as)).statusCode).toBe(403);
    expect(leaked((await t.call('GET', '/tools/export')).body).sort()).toEqual([...CANARIES].sort());
  });

  it('the operation, system and protocol logs never hold a definition', async () => {
    expect((await t.call('PUT', '/tools/creds', { args: ['--api-key', 'sk-live-a1b2c3', '--token=tok-d4e5f6'] })).statusCode).toBe(200);
    await t.ctx.servers.recorder.flush();
    for (const url of ['/logs/operations?limit=500', '/logs/system?limit=500', '/logs/mcp?limit=500']) {
      const res = await t.call('GET', url);
      expect(res.statusCode, url).toBe(200);
      expect(leaked(res.body), url).toEqual([]);
    }
    const ops = (await t.call('GET', '/logs/operations?action=server.update', undefined, operator)).json().items;
    expect(ops.length).toBeGreaterThan(0);
  });
});
