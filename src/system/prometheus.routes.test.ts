import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { fixtureBody } from '../../test/helpers/servers-app.js';

const TOKEN = 'prometheus-scrape-token-0123456789';
let t: TestApp;
let admin: { authorization: string };

beforeAll(async () => {
  t = await createTestApp({ MCPS_METRICS_TOKEN: TOKEN });
  admin = await t.login();
  const created = await t.app.inject({ method: 'POST', url: '/api/v1/tools', headers: admin, payload: fixtureBody('scraped', 'well-behaved') });
  expect(created.statusCode, created.body).toBe(201);
  const started = await t.app.inject({ method: 'POST', url: '/api/v1/tools/scraped/start', headers: admin });
  expect(started.json().state).toBe('running');
  const call = await t.app.inject({ method: 'POST', url: '/api/v1/tools/scraped/call', headers: admin, payload: { tool: 'echo', arguments: { message: 'hi' } } });
  expect(call.statusCode, call.body).toBe(200);
  await t.ctx.servers.recorder.flush();
}, 60_000);
afterAll(async () => t.close(), 60_000);

const scrape = (headers: Record<string, string> = {}) => t.app.inject({ url: '/metrics', headers });
const family = (text: string, name: string) => parsePrometheusTextFormat(text).find((f) => f.name === name);

describe('GET /metrics: access', () => {
  it.each([
    ['no credential', {}],
    ['a wrong token', { authorization: 'Bearer not-the-token-at-all-xxxxxxxx' }],
    ['a token one character short', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ['a malformed header', { authorization: `Token ${TOKEN}` }],
  ])('%s gets 401 problem+json, and the app keeps serving', async (_what, headers) => {
    const res = await scrape(headers);
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['www-authenticate']).toContain('Bearer');
    expect(res.body).not.toContain('mcps_');
    expect((await t.app.inject({ url: '/health' })).statusCode).toBe(200);
  });

  it('MCPS_METRICS_TOKEN, an access token or an API key with system:read may scrape', async () => {
    expect((await scrape({ authorization: `Bearer ${TOKEN}` })).statusCode).toBe(200);
    expect((await scrape(await t.as('viewer'))).statusCode).toBe(200);
    const key = await t.app.inject({ method: 'POST', url: '/api/v1/auth/api-keys', headers: admin, payload: { name: 'prometheus', role: 'viewer' } });
    expect(key.statusCode, key.body).toBe(201);
    expect((await scrape({ 'x-api-key': key.json().key })).statusCode).toBe(200);
    expect((await scrape({ authorization: `Bearer ${key.json().key}` })).statusCode).toBe(200);
  });

  it('without MCPS_METRICS_TOKEN no bearer text works but API keys still do', async () => {
    const other = await createTestApp();
    try {
      expect((await other.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode).toBe(401);
      expect((await other.app.inject({ url: '/metrics', headers: await other.login() })).statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('GET /metrics: content', () => {
  it('parses as the Prometheus text format, with process, host, HTTP and managed-server metrics', async () => {
    await t.app.inject({ url: '/api/v1/system/status', headers: admin });
    const res = await scrape({ authorization: `Bearer ${TOKEN}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    const families = parsePrometheusTextFormat(text);
    expect(families.length).toBeGreaterThan(20);

    expect(family(text, 'process_resident_memory_bytes')?.metrics[0]?.value).toMatch(/^\d/);
    expect(Number(family(text, 'mcps_host_memory_total_bytes')?.metrics[0]?.value)).toBeGreaterThan(0);
    expect(family(text, 'mcps_info')?.metrics[0]?.labels).toMatchObject({ version: expect.any(String) });

    const up = family(text, 'mcps_server_up')!;
    expect(up.metrics).toEqual([{ labels: { server: 'scraped' }, value: '1' }]);
    const state = family(text, 'mcps_server_state')!.metrics.filter((m) => m.value === '1');
    expect(state).toEqual([{ labels: { server: 'scraped', state: 'running' }, value: '1' }]);
    expect(Number(family(text, 'mcps_server_rss_bytes')!.metrics[0]!.value)).toBeGreaterThan(1_000_000);
    const calls = family(text, 'mcps_server_calls_total')!;
    expect(calls).toMatchObject({ type: 'COUNTER', metrics: [{ labels: { server: 'scraped' } }] });
    // The echo call at least (the handshake's requests may count too).
    expect(Number(calls.metrics[0]!.value)).toBeGreaterThanOrEqual(1);
    expect(family(text, 'mcps_server_restarts_total')!.metrics[0]!.value).toBe('0');

    // The parser folds labelled histograms into one entry, so the labels are checked in the text.
    expect(family(text, 'mcps_http_request_duration_seconds')?.type).toBe('HISTOGRAM');
    const count = (route: string, status: string) =>
      new RegExp(`^mcps_http_request_duration_seconds_count\\{method="GET",route="${route}",status_code="${status}"\\} (\\d+)$`, 'm').exec(text);
    expect(Number(count('/api/v1/system/status', '200')?.[1])).toBeGreaterThanOrEqual(1);
    expect(Number(count('/metrics', '401')?.[1])).toBeGreaterThanOrEqual(1);
  });

  it("adds another domain's snapshot (the gateway's shape) as labelled families and a histogram; a failing source is skipped", async () => {
    // The shape of gateway.metrics() (src/gateway/gateway-metrics.ts on the gateway branch).
    const snapshot = {
      sessions_open: { 'streamable-http': 2, sse: 0, 'in-process': 1 },
      sessions_opened_total: 5,
      sessions_rejected_total: 1,
      calls_total: { ok: 7, error: 1, denied: 2 },
      call_duration_ms: { sum: 1234.5, count: 10, buckets: [{ le: 5, count: 3 }, { le: 100, count: 9 }, { le: '+Inf', count: 10 }] },
      note: 'ignored text',
    };
    t.ctx.system.addMetricsSource('gateway', () => snapshot, { labels: { sessions_open: 'transport', calls_total: 'outcome' } });
    t.ctx.system.addMetricsSource('broken', () => {
      throw new Error('boom');
    });
    const res = await scrape({ authorization: `Bearer ${TOKEN}` });
    expect(res.statusCode).toBe(200);
    const text = res.body;
    expect(family(text, 'mcps_gateway_sessions_open')).toMatchObject({
      type: 'GAUGE',
      metrics: [
        { labels: { transport: 'streamable-http' }, value: '2' },
        { labels: { transport: 'sse' }, value: '0' },
        { labels: { transport: 'in-process' }, value: '1' },
      ],
    });
    expect(family(text, 'mcps_gateway_sessions_opened_total')).toMatchObject({ type: 'COUNTER', metrics: [{ value: '5' }] });
    expect(family(text, 'mcps_gateway_calls_total')).toMatchObject({ type: 'COUNTER', metrics: expect.arrayContaining([{ labels: { outcome: 'denied' }, value: '2' }]) });
    expect(family(text, 'mcps_gateway_call_duration_seconds')).toEqual({
      name: 'mcps_gateway_call_duration_seconds',
      help: expect.any(String),
      type: 'HISTOGRAM',
      metrics: [{ buckets: { '0.005': '3', '0.1': '9', '+Inf': '10' }, count: '10', sum: '1.2345' }],
    });
    expect(text).not.toContain('ignored text');
    expect(text).not.toContain('mcps_broken');
  });
});
