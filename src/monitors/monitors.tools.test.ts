import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/helpers/free-port.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { buildLogServiceServer } from '../logservice/build-server.js';

type ToolText = { isError?: boolean; content: { type: string; text?: string }[]; structuredContent?: Record<string, any> };
let t: TestApp;
let server: Server;
let port: number;

async function clientAs(role: 'admin' | 'viewer') {
  const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: await t.login(), payload: { name: `${role}-${randomBytes(3).toString('hex')}`, role } });
  const principal = await t.ctx.auth.authenticateApiKey(res.json<{ key: string }>().key);
  const mcp = buildLogServiceServer({ secrets: t.ctx.secrets, monitors: t.ctx.monitors.service }, principal);
  const [a, b] = InMemoryTransport.createLinkedPair();
  await mcp.connect(a);
  const client = new Client({ name: 'test', version: '0' });
  await client.connect(b);
  return (name: string, args: Record<string, unknown> = {}) => client.callTool({ name, arguments: args }) as Promise<ToolText>;
}

beforeAll(async () => {
  t = await createTestApp();
  port = await freePort();
  server = createServer((_req, res) => res.end('{"status":"ok"}'));
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
}, 60_000);
afterAll(async () => {
  await new Promise<void>((r) => server?.close(() => r()));
  await t?.close();
});

describe('monitor tools of the log service', () => {
  it('health_check runs one check now and says UP or DOWN with the reason', async () => {
    const call = await clientAs('admin');
    const up = await call('health_check', { kind: 'http', target: `http://127.0.0.1:${port}/`, json_path: 'status', json_equals: 'ok' });
    expect(up.isError).toBeFalsy();
    expect(up.structuredContent).toMatchObject({ ok: true, details: { status: 200 } });
    expect(up.content[0]!.text).toMatch(new RegExp(`^UP http http://127\\.0\\.0\\.1:${port}/ in [\\d.]+ ms`));
    const down = await call('health_check', { kind: 'tcp', target: '127.0.0.1:9' });
    expect(down.content[0]!.text).toMatch(/^DOWN tcp 127\.0\.0\.1:9: connection refused by 127\.0\.0\.1:9/);
  });

  it('bad input and a metadata target are isError results; a viewer may not run checks', async () => {
    const call = await clientAs('admin');
    const meta = await call('health_check', { kind: 'http', target: 'http://169.254.169.254/latest/' });
    expect(meta.isError).toBe(true);
    expect(meta.content[0]!.text).toMatch(/^unprocessable: check\.target: refused: 169\.254\.169\.254 is a cloud metadata address/);
    const bad = await call('health_check', { kind: 'tcp', target: 'nonsense' });
    expect(bad.isError).toBe(true);
    expect(bad.content[0]!.text).toMatch(/is not host:port/);
    const viewer = await clientAs('viewer');
    const refused = await viewer('health_check', { kind: 'tcp', target: '127.0.0.1:9' });
    expect(refused.isError).toBe(true);
    expect(refused.content[0]!.text).toMatch(/^forbidden/);
  });

  it('list_monitors and monitor_status summarise state, uptime and latency', async () => {
    const admin = await t.login();
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/monitors', headers: admin, payload: { name: 'api', check: { kind: 'http', target: `http://127.0.0.1:${port}/` } } });
    await t.app.inject({ method: 'POST', url: `/api/v1/monitors/${created.json<{ id: string }>().id}/run`, headers: admin });
    const viewer = await clientAs('viewer');
    const list = await viewer('list_monitors');
    expect(list.content[0]!.text).toMatch(/^1 monitors, 0 down\nUP api \(http\) since \S+, 24h 100\.00%/);
    const status = await viewer('monitor_status', { monitor: 'api' });
    expect(status.content[0]!.text).toMatch(/^api: UP since/);
    expect(status.content[0]!.text).toMatch(/uptime 24h 100\.00%, 7d 100\.00%, 30d 100\.00%, 365d 100\.00%/);
    expect(status.content[0]!.text).toMatch(/latency 24h p50 [\d.]+ ms/);
    const missing = await viewer('monitor_status', { monitor: 'nosuch' });
    expect(missing.isError).toBe(true);
    expect(missing.content[0]!.text).toBe("not_found: monitor 'nosuch' not found");
  });
});
