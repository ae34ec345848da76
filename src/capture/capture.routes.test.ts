import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport } from '@modelcontextprotocol/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH } from '../../test/components.js';
import { startDashboardSite, TOKEN, type DashboardSite } from '../../test/helpers/dashboard-site.js';
import { needs } from '../../test/helpers/needs.js';
import { readPng } from '../../test/helpers/png.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { buildLogServiceServer } from '../logservice/build-server.js';
import { localCaller } from '../secrets/secret-caller.js';

type ToolResult = { isError?: boolean; content: { type: string; text?: string; data?: string; mimeType?: string }[]; structuredContent?: Record<string, any> };

describe.skipIf(!needs('chromium'))('REST /dashboards, /screenshots and the capture_dashboard tool', () => {
  let t: TestApp;
  let site: DashboardSite;
  let admin: { authorization: string };
  let operator: { authorization: string };
  let viewer: { authorization: string };

  beforeAll(async () => {
    site = await startDashboardSite();
    t = await createTestApp({ CHROMIUM_PATH, MCPS_CAPTURE_BROWSERS: '1', MCPS_CAPTURE_KEEP_COUNT: '3' });
    await t.ctx.secrets.create({ name: 'GRAFANA_TOKEN', value: TOKEN }, localCaller('cli', 'test'));
    admin = await t.login();
    operator = await t.as('operator');
    viewer = await t.as('viewer');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await site?.close();
  });

  async function toolClient(role: 'operator' | 'viewer') {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: admin, payload: { name: `${role}-${randomBytes(3).toString('hex')}`, role } });
    const principal = await t.ctx.auth.authenticateApiKey(res.json<{ key: string }>().key);
    const server = buildLogServiceServer({ secrets: t.ctx.secrets, capture: t.ctx.capture }, principal);
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(a);
    const client = new Client({ name: 'test', version: '0' });
    await client.connect(b);
    return (name: string, args: Record<string, unknown> = {}) => client.callTool({ name, arguments: args }) as Promise<ToolResult>;
  }

  it('admins save dashboards; viewers read them; bad input is problem+json naming the field', async () => {
    const grafana = { name: 'ops', kind: 'grafana', url: `${site.base}/grafana/`, uid: 'ops-1', token: '${secret:GRAFANA_TOKEN}', variables: { env: 'prod' }, width: 640, height: 400 };
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/dashboards', headers: admin, payload: grafana });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'ops', token: '${secret:GRAFANA_TOKEN}', time_from: 'now-1h', time_to: 'now', mode: 'browser', variables: { env: 'prod' } });

    expect((await t.app.inject({ method: 'POST', url: '/api/v1/dashboards', headers: operator, payload: { ...grafana, name: 'x' } })).statusCode).toBe(403);
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/dashboards', headers: viewer });
    expect(list.json().items.map((d: { name: string }) => d.name)).toEqual(['ops']);

    const dup = await t.app.inject({ method: 'POST', url: '/api/v1/dashboards', headers: admin, payload: grafana });
    expect(dup.statusCode).toBe(409);
    expect(dup.headers['content-type']).toMatch(/application\/problem\+json/);

    const noUid = await t.app.inject({ method: 'POST', url: '/api/v1/dashboards', headers: admin, payload: { ...grafana, name: 'nouid', uid: undefined } });
    expect(noUid.statusCode).toBe(400);
    expect(noUid.json().errors).toEqual([expect.objectContaining({ field: 'uid' })]);

    const clearToken = await t.app.inject({ method: 'POST', url: '/api/v1/dashboards', headers: admin, payload: { ...grafana, name: 'clear', token: TOKEN } });
    expect(clearToken.statusCode).toBe(400);
    expect(clearToken.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(clearToken.body).not.toContain(TOKEN);

    const metadata = await t.app.inject({ method: 'POST', url: '/api/v1/dashboards', headers: admin, payload: { name: 'meta', kind: 'url', url: 'http://169.254.169.254/latest/' } });
    expect(metadata.statusCode).toBe(422);
    expect(metadata.json().detail).toMatch(/metadata/);

    const ftp = await t.app.inject({ method: 'POST', url: '/api/v1/dashboards', headers: admin, payload: { name: 'ftp', kind: 'url', url: 'ftp://example.com/' } });
    expect(ftp.statusCode).toBe(400);

    const changed = await t.app.inject({ method: 'PUT', url: '/api/v1/dashboards/ops', headers: admin, payload: { time_from: 'now-3h' } });
    expect(changed.json()).toMatchObject({ time_from: 'now-3h', uid: 'ops-1' });
  });

  it('operators capture; the screenshot is listed, downloaded and deleted; retention keeps the newest 3', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/dashboards/ops/capture', headers: viewer, payload: {} })).statusCode).toBe(403);
    const shots: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/dashboards/ops/capture', headers: operator, payload: { from: `now-${i + 1}h` } });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ format: 'png', mime_type: 'image/png', width: 640, height: 400, time_from: `now-${i + 1}h`, dashboard_name: 'ops', blocked: [] });
      shots.push(res.json().id);
    }
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/screenshots?dashboard=ops', headers: viewer });
    expect(list.json().total).toBe(3);
    expect(list.json().items.map((s: { id: string }) => s.id)).toEqual(shots.slice(1).reverse());
    expect(existsSync(`${t.config.dataDir}/screenshots/${shots[0]}.png`)).toBe(false);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/screenshots/${shots[0]}`, headers: viewer })).statusCode).toBe(404);

    const file = await t.app.inject({ method: 'GET', url: `/api/v1/screenshots/${shots[3]}/file?download=1`, headers: viewer });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="ops-/);
    expect(readPng(file.rawPayload).width).toBe(640);

    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/screenshots/${shots[3]}`, headers: viewer })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/screenshots/${shots[3]}`, headers: operator })).statusCode).toBe(204);
    expect(existsSync(`${t.config.dataDir}/screenshots/${shots[3]}.png`)).toBe(false);
    const audit = await t.app.inject({ method: 'GET', url: '/api/v1/logs/operations?action=dashboard.capture', headers: admin });
    expect(audit.statusCode).toBe(200);
  }, 90_000);

  it('a capture that fails is problem+json with why, and the platform keeps serving', async () => {
    await t.app.inject({ method: 'POST', url: '/api/v1/dashboards', headers: admin, payload: { name: 'err', kind: 'url', url: `${site.base}/error` } });
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/dashboards/err/capture', headers: operator, payload: {} });
    expect(res.statusCode).toBe(502);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'bad_gateway', detail: expect.stringMatching(/answered HTTP 500/) });
    const missing = await t.app.inject({ method: 'POST', url: '/api/v1/dashboards/none/capture', headers: operator, payload: {} });
    expect(missing.statusCode).toBe(404);
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/dashboards/ops/capture', headers: operator, payload: { width: 5 } });
    expect(bad.statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/dashboards', headers: viewer })).statusCode).toBe(200);
  }, 60_000);

  it('capture_dashboard returns the PNG as MCP image content with a link; refusals are tool errors', async () => {
    const call = await toolClient('operator');
    const listed = await call('list_dashboards');
    expect(listed.structuredContent!['items'].map((d: { name: string }) => d.name)).toContain('ops');
    const r = await call('capture_dashboard', { dashboard: 'ops', from: 'now-1h', to: 'now', vars: { host: 'db1' } });
    expect(r.isError).toBeFalsy();
    const image = r.content.find((c) => c.type === 'image')!;
    expect(image.mimeType).toBe('image/png');
    const png = readPng(Buffer.from(image.data!, 'base64'));
    expect([png.width, png.height]).toEqual([640, 400]);
    const text = r.content.find((c) => c.type === 'text')!.text!;
    expect(text).toMatch(/link: \/api\/v1\/screenshots\/\S+\/file/);
    expect(r.structuredContent).toMatchObject({ dashboard_name: 'ops', time_from: 'now-1h' });
    expect(site.seen.some((s) => s.url.includes('var-host=db1') && s.url.includes('var-env=prod'))).toBe(true);

    const pdf = await call('capture_dashboard', { dashboard: 'ops', format: 'pdf' });
    expect(pdf.content.map((c) => c.type)).toEqual(['text']);
    expect(pdf.structuredContent).toMatchObject({ format: 'pdf', mime_type: 'application/pdf' });

    const refused = await call('capture_dashboard', { url: 'http://169.254.169.254/latest/meta-data/' });
    expect(refused.isError).toBe(true);
    expect(refused.content[0]!.text).toMatch(/forbidden/);
    const viewerCall = await toolClient('viewer');
    const denied = await viewerCall('capture_dashboard', { dashboard: 'ops' });
    expect(denied.isError).toBe(true);
    expect(denied.content[0]!.text).toMatch(/lacks permission 'dashboards:capture'/);
  }, 90_000);
});
