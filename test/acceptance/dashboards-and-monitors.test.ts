import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH } from '../components.js';
import { ADMIN_PASSWORD, LOOPBACK } from '../helpers/boot-context.js';
import { startDashboardSite, TOKEN } from '../helpers/dashboard-site.js';
import { freePort } from '../helpers/free-port.js';
import { startHttpReceiver } from '../helpers/http-receiver.js';
import { needs } from '../helpers/needs.js';
import { readPng } from '../helpers/png.js';
import { runCli } from '../helpers/run-cli.js';
import { serveCli } from '../helpers/serve-cli.js';
import { createTestDatabase } from '../helpers/test-db.js';
import { waitFor } from '../helpers/wait-for.js';

const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

type Json = Record<string, any>;

/**
 * Issue 16's acceptance, as a new user would try it, on the real `mcps serve` (spawned) with the system
 * Chromium: a dashboard saved on a local Grafana-like page is captured for the last hour through the
 * log-service MCP server (`/mcp/mcps`, an SDK client) and comes back as an image; an HTTP monitor (5 s
 * interval, the platform's own scheduler) on a local server goes down when the server stops, a
 * MonitorDown alert fires and its notification reaches a webhook channel through the alert route; the
 * server back, the monitor recovers, the alert resolves and the resolved notification is delivered;
 * `mcps health` reports the platform healthy.
 */
describe.skipIf(!needs('chromium'))('acceptance: dashboard screenshots and monitors (issue 16)', () => {
  it('screenshot over MCP, monitor down → alert → notification, recovery → resolved, mcps health', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'mcps-accept16-'));
    const database = await createTestDatabase();
    const site = await startDashboardSite();
    const hook = await startHttpReceiver(() => ({ status: 200, body: { ok: true } }));
    cleanup.push(() => rmSync(cwd, { recursive: true, force: true }), () => database.drop(), () => site.close(), () => hook.close());
    const env = {
      ENVIRONMENT: 'test', DATABASE_URL: database.url, MCPS_ADMIN_PASSWORD: ADMIN_PASSWORD, MCPS_OUTBOUND_ALLOW: LOOPBACK, LOG_LEVEL: 'warn',
      CHROMIUM_PATH, MCPS_CAPTURE_BROWSERS: '1', BACKUP_SCHEDULE: 'off',
    };
    const run = serveCli({ cwd, port: await freePort(), env });
    cleanup.push(() => run.child.kill('SIGKILL'));
    await run.ready(90_000);
    const login = await fetch(`${run.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
    const auth = { authorization: `Bearer ${((await login.json()) as { access_token: string }).access_token}` };
    const api = async (method: string, url: string, body?: unknown): Promise<{ status: number; json: Json }> => {
      const res = await fetch(`${run.url}/api/v1${url}`, { method, headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, json: text ? (JSON.parse(text) as Json) : {} };
    };
    const ok = async (method: string, url: string, body?: unknown): Promise<Json> => {
      const r = await api(method, url, body);
      expect(r.status, `${method} ${url}: ${JSON.stringify(r.json)}`).toBeLessThan(300);
      return r.json;
    };

    // 1. A Grafana-like dashboard saved with its service-account token as a secret reference.
    await ok('POST', '/secrets', { name: 'GRAFANA_TOKEN', value: TOKEN });
    await ok('POST', '/dashboards', { name: 'ops', kind: 'grafana', url: `${site.base}/grafana/`, uid: 'ops-overview', token: '${secret:GRAFANA_TOKEN}', variables: { env: 'prod' }, width: 800, height: 600 });

    // 2. An MCP client asks the log service for a screenshot of the last hour and gets the image back.
    const { key } = await ok('POST', '/gateway/api-keys', { name: 'oncall', role: 'operator' });
    const client = new Client({ name: 'acceptance', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${run.url}/mcp/mcps`), { requestInit: { headers: { authorization: `Bearer ${key as string}` } } }));
    cleanup.push(() => client.close());
    const shot = (await client.callTool({ name: 'capture_dashboard', arguments: { dashboard: 'ops', from: 'now-1h', to: 'now' } }, { timeout: 120_000 })) as { isError?: boolean; content: { type: string; data?: string; mimeType?: string; text?: string }[] };
    expect(shot.isError, JSON.stringify(shot.content)).toBeFalsy();
    const image = shot.content.find((c) => c.type === 'image')!;
    expect(image.mimeType).toBe('image/png');
    const png = readPng(Buffer.from(image.data!, 'base64'));
    expect([png.width, png.height]).toEqual([800, 600]);
    // Kiosk mode (no magenta menu bar), the light theme's background.
    expect(png.at(10, 10).slice(0, 3)).toEqual([250, 250, 250]);
    expect(png.at(400, 590).slice(0, 3)).toEqual([250, 250, 250]);
    const opened = new URL(site.seen.find((r) => r.url.startsWith('/grafana/d/ops-overview'))!.url, 'http://x');
    expect([opened.searchParams.get('from'), opened.searchParams.get('to'), opened.searchParams.get('var-env'), opened.searchParams.has('kiosk')]).toEqual(['now-1h', 'now', 'prod', true]);
    const link = /^link: (\S+)$/m.exec(shot.content.find((c) => c.type === 'text')!.text!)![1]!;
    const stored = Buffer.from(await (await fetch(`${run.url}${link}`, { headers: auth })).arrayBuffer());
    expect(stored.equals(Buffer.from(image.data!, 'base64'))).toBe(true);

    // 3. A webhook channel, and a route sending every alert to it at once.
    await ok('POST', '/notifications/channels', { name: 'ops-hook', settings: { kind: 'webhook', url: `${hook.url}/ops` } });
    await ok('PUT', '/alerts/routing', { receiver: 'ops', channels: ['ops-hook'], group_by: ['alertname', 'monitor'], group_wait_seconds: 0, group_interval_seconds: 0 });

    // 4. An HTTP monitor on a server the test runs, checked every 5 s by the platform's scheduler.
    const port = await freePort();
    const start = async (): Promise<Server> => {
      const s = createServer((_req, res) => res.end('ok'));
      await new Promise<void>((r) => s.listen(port, '127.0.0.1', () => r()));
      return s;
    };
    let target = await start();
    cleanup.push(() => new Promise((r) => target.close(r)));
    await ok('POST', '/monitors', { name: 'web', check: { kind: 'http', target: `http://127.0.0.1:${port}/`, keyword: 'ok' }, interval_seconds: 5, failures_before_down: 1, severity: 'critical' });
    const monitor = async () => (await ok('GET', '/monitors/web')) as { state: string; alert_open: boolean; events: { to_state: string }[] };
    const alerts = async () => ((await ok('GET', `/alerts?state=all&matchers=${encodeURIComponent('monitor="web"')}`)).groups as { alerts: { status: string; labels: Record<string, string> }[] }[]).flatMap((g) => g.alerts);
    const sent = () => hook.requests.map((r) => r.json as { title: string; text: string; severity: string });
    await waitFor(async () => (await monitor()).state === 'up', 30_000, 'the monitor up');

    // 5. The server stops: down, a MonitorDown alert firing, a notification delivered.
    target.closeAllConnections();
    await new Promise((r) => target.close(r));
    await waitFor(async () => (await monitor()).state === 'down', 30_000, 'the monitor down');
    expect(await monitor()).toMatchObject({ alert_open: true });
    expect(await alerts()).toEqual([expect.objectContaining({ status: 'firing', labels: expect.objectContaining({ alertname: 'MonitorDown', monitor: 'web', severity: 'critical' }) })]);
    await waitFor(() => sent().length >= 1, 30_000, 'the firing notification');
    expect(sent()[0]).toMatchObject({ severity: 'critical', title: expect.stringContaining('MonitorDown') });
    expect(sent()[0]!.text).toMatch(/web is down/);
    expect(hook.requests[0]!.url).toBe('/ops');

    // 6. The server back: up, the alert resolved, the resolved notification delivered.
    target = await start();
    await waitFor(async () => (await monitor()).state === 'up', 30_000, 'the monitor up again');
    await waitFor(async () => (await alerts()).every((a) => a.status === 'resolved'), 30_000, 'the alert resolved');
    await waitFor(() => sent().some((m) => m.severity === 'resolved'), 30_000, 'the resolved notification');
    expect(sent()).toHaveLength(2);
    expect((await monitor()).events.map((e) => e.to_state)).toEqual(['up', 'down', 'up']);
    const deliveries = (await ok('GET', '/notifications/deliveries')).items as { status: string }[];
    expect(deliveries.map((d) => d.status)).toEqual(['delivered', 'delivered']);

    // 7. `mcps health` asks the running platform: healthy, exit 0.
    const health = await runCli(['health'], { cwd, env });
    expect(health.code, health.stdout + health.stderr).toBe(0);
    expect(health.stdout).toMatch(new RegExp(`^healthy \\(${run.url.replace(/\./g, '\\.')}`));
    expect(health.stdout).toMatch(/OK {3}database/);

    await client.close();
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
  }, 240_000);
});
