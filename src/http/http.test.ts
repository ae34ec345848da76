import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { migrations } from '../db/migrations/index.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { AppError } from './app-error.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

describe('cross-cutting HTTP behaviour', () => {
  it('GET /health is public liveness', async () => {
    const res = await t.app.inject({ url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('GET /api/v1/system/health reports the database, version and uptime', async () => {
    const res = await t.app.inject({ url: '/api/v1/system/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'ok',
      version: expect.any(String),
      database: { kind: t.database.kind, reachable: true, schema_version: Object.keys(migrations).at(-1) },
    });
  });

  it('every response carries x-request-id; a sane incoming one is kept, a hostile one replaced', async () => {
    const a = await t.app.inject({ url: '/health' });
    expect(a.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const b = await t.app.inject({ url: '/health', headers: { 'x-request-id': 'trace-123' } });
    expect(b.headers['x-request-id']).toBe('trace-123');
    const c = await t.app.inject({ url: '/health', headers: { 'x-request-id': 'bad id\r\nx: y' } });
    expect(c.headers['x-request-id']).not.toContain('bad');
    const p = await t.app.inject({ url: '/api/v1/users' });
    expect(p.json().request_id).toBe(p.headers['x-request-id']);
  });

  it('sends security headers', async () => {
    const res = await t.app.inject({ url: '/health' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(String(res.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('refuses a Host not in ALLOWED_HOSTS (DNS rebinding) with 400 problem+json', async () => {
    const res = await t.app.inject({ url: '/api/v1/system/health', headers: { host: 'evil.example:8000' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().detail).toContain('not allowed');
    expect((await t.app.inject({ url: '/health', headers: { host: '127.0.0.1:8000' } })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/health', headers: { host: '[::1]:8000' } })).statusCode).toBe(200);
  });

  it('answers CORS preflight only for configured origins', async () => {
    const other = await createTestApp({ CORS_ORIGINS: '["http://localhost:5173"]' });
    try {
      const ok = await other.app.inject({ method: 'OPTIONS', url: '/api/v1/users', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' } });
      expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      const bad = await other.app.inject({ method: 'OPTIONS', url: '/api/v1/users', headers: { origin: 'http://evil.example', 'access-control-request-method': 'GET' } });
      expect(bad.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('opens the authorization server\'s public endpoints to any origin, without cookies (browser MCP clients such as the Inspector)', async () => {
    const preflight = (url: string) =>
      t.app.inject({ method: 'OPTIONS', url, headers: { origin: 'http://localhost:6274', 'access-control-request-method': 'GET', 'access-control-request-headers': 'mcp-protocol-version' } });
    for (const url of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-authorization-server/oauth', '/oauth/token', '/oauth/reg', '/oauth/jwks']) {
      const res = await preflight(url);
      expect(res.headers['access-control-allow-origin'], url).toBe('*');
      expect(res.headers['access-control-allow-credentials'], url).toBeUndefined();
    }
    // The sign-in pages, the API and the gateway keep the configured origins only.
    for (const url of ['/oauth/interaction/x', '/oauth/auth', '/api/v1/users', '/mcp', '/.well-known/oauth-protected-resource-x']) {
      expect((await preflight(url)).headers['access-control-allow-origin'], url).toBeUndefined();
    }
  });

  it('an unknown route is a 404 problem', async () => {
    const res = await t.app.inject({ url: '/api/v1/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('refuses JSON nested past the limit with 400 naming it (not a 500), and keeps serving', async () => {
    const admin = await t.login();
    const nested = (depth: number) => '{"a":'.repeat(depth - 1) + '{}' + '}'.repeat(depth - 1);
    const deep = `{"tool":"echo","arguments":{"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`;
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/tools/nosuch/call', headers: { ...admin, 'content-type': 'application/json' }, payload: deep });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'bad_request', detail: expect.stringContaining('nested deeper than 64 levels') });
    const atLimit = await t.app.inject({ method: 'POST', url: '/api/v1/tools/nosuch/call', headers: { ...admin, 'content-type': 'application/json' }, payload: `{"tool":"echo","arguments":${nested(62)}}` });
    expect(atLimit.statusCode, atLimit.body).toBe(404);
    const pastLimit = await t.app.inject({ method: 'POST', url: '/api/v1/tools/nosuch/call', headers: { ...admin, 'content-type': 'application/json' }, payload: `{"tool":"echo","arguments":${nested(64)}}` });
    expect(pastLimit.statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/v1/system/health' })).statusCode).toBe(200);
  });

  it('a body over the limit is a 413 naming the limit and its setting', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: { ...(await t.login()), 'content-type': 'application/json' }, payload: JSON.stringify({ username: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(res.statusCode).toBe(413);
    expect(res.json().detail).toBe('request body is larger than the limit of 1048576 bytes (1 MB); the limit is set by MCPS_BODY_LIMIT');
  });

  it('refuses to start when an API route declares no auth', async () => {
    await expect(createTestApp({}, (app) => app.get('/api/v1/unguarded', async () => 'x'))).rejects.toThrow(/declares no auth/);
  });
});

describe('unexpected errors', () => {
  it('answer a generic 500 that leaks nothing, and the app keeps serving', async () => {
    const other = await createTestApp({}, (app) => {
      app.get('/boom', async () => {
        throw new Error('database password is hunter2');
      });
      app.get('/expected', async () => {
        throw new AppError('conflict', 'already there');
      });
    });
    try {
      const res = await other.app.inject({ url: '/boom' });
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toContain('hunter2');
      expect(res.json()).toMatchObject({ code: 'internal', detail: 'internal server error', request_id: res.headers['x-request-id'] });
      expect((await other.app.inject({ url: '/expected' })).json()).toMatchObject({ status: 409, code: 'conflict', detail: 'already there' });
      expect((await other.app.inject({ url: '/health' })).statusCode).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('5xx answers in the system log', () => {
  it('logs a 5xx the code chose (a takeover under way) as a warning with its message, an unexpected error as an error', async () => {
    const other = await createTestApp({}, (app) => {
      app.get('/takeover', async () => {
        throw new AppError('unavailable', 'the instance running it is silent; try again', { retryAfterSeconds: 2 });
      });
      app.get('/boom', async () => {
        throw new Error('something broke');
      });
    });
    try {
      const admin = await other.login();
      const takeover = await other.app.inject({ url: '/takeover' });
      expect(takeover.statusCode).toBe(503);
      expect(takeover.headers['retry-after']).toBe('2');
      const boom = await other.app.inject({ url: '/boom' });
      expect(boom.statusCode).toBe(500);
      const entriesOf = async (requestId: unknown) => {
        const page = (await other.app.inject({ url: '/api/v1/logs/system?limit=200', headers: admin })).json() as { items: { level: string; msg: string; request_id: string | null }[] };
        return page.items.filter((e) => e.request_id === requestId);
      };
      let chosen: Awaited<ReturnType<typeof entriesOf>> = [];
      let unexpected: typeof chosen = [];
      await waitFor(async () => {
        [chosen, unexpected] = [await entriesOf(takeover.headers['x-request-id']), await entriesOf(boom.headers['x-request-id'])];
        return chosen.length > 0 && unexpected.length > 0;
      }, 10_000, 'both entries in the system log');
      expect(chosen.map((e) => [e.level, e.msg])).toEqual([['warn', 'the instance running it is silent; try again']]);
      expect(unexpected.map((e) => [e.level, e.msg])).toEqual([['error', 'unhandled error']]);
    } finally {
      await other.close();
    }
  });
});

describe('OpenAPI', () => {
  it('serves an OpenAPI 3.1 document listing every API route with its security', async () => {
    const res = await t.app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    for (const path of ['/api/v1/auth/login', '/api/v1/auth/me', '/api/v1/auth/api-keys', '/api/v1/users', '/api/v1/users/{id}', '/api/v1/logs/system', '/api/v1/logs/operations', '/api/v1/logs/mcp', '/api/v1/logs/stats', '/api/v1/logs/cleanup', '/api/v1/system/health']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    expect(doc.paths['/api/v1/users'].post.security).toBeDefined();
    expect(doc.paths['/api/v1/auth/login'].post.security).toBeUndefined();
    expect(doc.paths['/api/v1/users'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('username');
  });

  it('serves Swagger UI at /docs and ReDoc at /redoc from local assets', async () => {
    const docs = await t.app.inject({ url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
    const redoc = await t.app.inject({ url: '/redoc' });
    expect(redoc.statusCode).toBe(200);
    expect(redoc.body).toContain('/redoc/redoc.standalone.js');
    const bundle = await t.app.inject({ url: '/redoc/redoc.standalone.js' });
    expect(bundle.statusCode).toBe(200);
    expect(bundle.body.length).toBeGreaterThan(100_000);
  });
});
