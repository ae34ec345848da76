import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { hostnameOf } from './security.js';

describe('Host header parsing', () => {
  it.each([
    ['localhost', 'localhost'],
    ['LocalHost:8000', 'localhost'],
    ['127.0.0.1:8000', '127.0.0.1'],
    ['[::1]:8000', '[::1]'],
    ['[::1]', '[::1]'],
    ['mcps.example.com', 'mcps.example.com'],
    ['localhost:', 'localhost'],
  ])('%s is host %s', (header, host) => {
    expect(hostnameOf(header)).toBe(host);
  });
  it.each([['localhost:1@evil.com'], ['localhost@evil.com'], ['user:pw@localhost'], ['localhost:abc'], ['localhost:99999'], ['localhost/evil'], ['::1'], ['[::1'], ['[evil.com]:80'], ['local host'], ['localhost:80:80'], [''], [undefined]])(
    'refuses %s',
    (header) => {
      expect(hostnameOf(header)).toBeNull();
    },
  );
});

describe('the Host check and the /mcp Origin check on a running app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ CORS_ORIGINS: '["http://localhost:5173"]' });
  });
  afterAll(async () => t.close());

  it('refuses a Host that only starts like an allowed one', async () => {
    for (const host of ['localhost:1@evil.com', 'localhost:80/..', '127.0.0.1:8000 evil.com']) {
      const res = await t.app.inject({ url: '/health', headers: { host } });
      expect(res.statusCode, host).toBe(400);
      expect(res.json().detail).toMatch(/not allowed \(ALLOWED_HOSTS\)/);
    }
    expect((await t.app.inject({ url: '/health', headers: { host: 'localhost:8000' } })).statusCode).toBe(200);
  });

  it('refuses on /mcp an origin that differs from an allowed one only by its scheme, and null origins', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/gateway/api-keys', headers: await t.login(), payload: { name: 'origin', role: 'operator' } });
    expect(created.statusCode, created.body).toBe(201);
    const authorization = `Bearer ${created.json().key as string}`;
    const post = (origin: string) =>
      t.app.inject({ method: 'POST', url: '/mcp', headers: { authorization, host: 'localhost:8000', origin, 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, payload: '{}' });
    for (const origin of ['https://localhost:5173', 'https://localhost:8000', 'null', 'file://']) {
      const res = await post(origin);
      expect(res.statusCode, origin).toBe(403);
      expect(res.body).toMatch(/Origin .* is not allowed/);
    }
    // The allowed origin and this server's own get past the Origin check (to the JSON-RPC check of the body).
    for (const origin of ['http://localhost:5173', 'http://localhost:8000']) {
      const res = await post(origin);
      expect(res.statusCode, origin).not.toBe(403);
      expect(res.body, origin).not.toMatch(/Origin .* is not allowed/);
    }
  });
});
