import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliArgs, runCli } from '../../test/helpers/run-cli.js';
import { createTestContext, type TestContext } from '../../test/helpers/test-context.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { buildLogServiceServer } from '../logservice/build-server.js';

const CANARY = `stdio-canary-${randomBytes(6).toString('hex')}`;
// The CLI process and this test's context must share the master key to read each other's secrets.
const MASTER_KEY = randomBytes(32).toString('base64');

let database: TestDatabase;
let tc: TestContext;
let cwd: string;
let env: Record<string, string>;
beforeAll(async () => {
  database = await createTestDatabase();
  tc = await createTestContext(database.url, { MCPS_MASTER_KEY: MASTER_KEY });
  cwd = mkdtempSync(path.join(tmpdir(), 'mcps-logservice-'));
  env = { PATH: process.env['PATH'] ?? '', ENVIRONMENT: 'test', DATABASE_URL: database.url, MCPS_MASTER_KEY: MASTER_KEY };
});
afterAll(async () => {
  await tc.dispose();
  await database.drop();
  rmSync(cwd, { recursive: true, force: true });
});

async function apiKey(role: 'admin' | 'viewer'): Promise<{ key: string; name: string }> {
  const app = await tc.app();
  const name = `stdio-${role}-${randomBytes(3).toString('hex')}`;
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: await tc.login(), payload: { name, role } });
  expect(res.statusCode).toBe(201);
  return { key: res.json<{ key: string }>().key, name };
}

/** What a stdio MCP client (Claude Desktop...) does: spawn `mcps log-service` with the key and connect. */
async function connectStdio(key: string): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: cliArgs(['log-service']),
    cwd,
    env: { ...env, MCPS_API_KEY: key },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'stdio-test', version: '0' });
  await client.connect(transport);
  return client;
}

describe('mcps log-service (stdio)', () => {
  it('serves the secret tools to a real stdio MCP client as the API key, recorded without the value', { timeout: 120_000 }, async () => {
    const { key, name } = await apiKey('admin');
    await tc.ctx.secrets.create({ name: 'GRAFANA_TOKEN', value: CANARY }, { actor: { type: 'system', name: 'test' } });

    const client = await connectStdio(key);
    expect(client.getServerVersion()?.name).toBe('mcps');
    const { tools } = await client.listTools();
    expect(tools.map((x) => x.name)).toContain('get_secret');
    // The same tools as the gateway's `mcps` server for the same key (alerts tools were once missing on stdio).
    const inGateway = buildLogServiceServer(tc.ctx.logService, await tc.ctx.auth.authenticateApiKey(key));
    const [a, b] = InMemoryTransport.createLinkedPair();
    await inGateway.connect(a);
    const direct = new Client({ name: 'in-process', version: '0' });
    await direct.connect(b);
    const names = (list: { name: string }[]) => list.map((x) => x.name).sort();
    expect(names(tools)).toEqual(names((await direct.listTools()).tools));
    expect(names(tools)).toEqual(expect.arrayContaining(['list_alerts', 'silence_alerts', 'analyze_logs', 'download_logs', 'start_batch', 'send_notification']));
    await direct.close();
    const got = (await client.callTool({ name: 'get_secret', arguments: { name: 'GRAFANA_TOKEN', reason: 'stdio test' } })) as { structuredContent?: { value?: string } };
    expect(got.structuredContent?.value).toBe(CANARY);
    await client.close();

    // The CLI flushes the protocol log when its stdin closes; poll until its rows arrive.
    let rows: { caller: string | null; method: string | null; payload: string | null; direction: string }[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      rows = await tc.ctx.db.selectFrom('mcp_logs').select(['caller', 'method', 'payload', 'direction']).where('server', '=', 'mcps').execute();
      if (rows.some((r) => r.method === 'tools/call' && r.direction === 'in')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const call = rows.filter((r) => r.method === 'tools/call');
    expect(call.map((r) => r.direction).sort()).toEqual(['in', 'out']);
    expect(call.every((r) => r.caller === `api_key:${name}`)).toBe(true);
    for (const r of rows) expect(r.payload ?? '').not.toContain(CANARY);
    expect(call.find((r) => r.direction === 'in')!.payload).toContain('[REDACTED:GRAFANA_TOKEN]');
  });

  it('refuses to start without a key, or with a wrong one, with one clear line', { timeout: 60_000 }, async () => {
    const none = await runCli(['log-service'], { cwd, env });
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/--key|MCPS_API_KEY/);
    expect(none.stdout).toBe('');

    const wrong = await runCli(['log-service'], { cwd, env: { ...env, MCPS_API_KEY: 'mcps_not_a_real_key_at_all_000000000000' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^mcps: invalid API key/);
    expect(wrong.stdout).toBe('');
  });

  it('a viewer key gets tool errors, not values', { timeout: 120_000 }, async () => {
    const { key } = await apiKey('viewer');
    const client = await connectStdio(key);
    const r = (await client.callTool({ name: 'get_secret', arguments: { name: 'GRAFANA_TOKEN', reason: 'nosy' } })) as { isError?: boolean; content: { text?: string }[] };
    expect(r.isError).toBe(true);
    expect(r.content[0]?.text).toMatch(/^forbidden/);
    await client.close();
  });
});
