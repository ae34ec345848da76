import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandler } from '../http/error-handler.js';
import { consoleRoutes } from './console.routes.js';

let dir: string;
let app: FastifyInstance;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'mcps-web-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><meta name="api-prefix" content="/api/v1" /><script type="module" src="/assets/app-1.js"></script>');
  writeFileSync(path.join(dir, 'assets', 'app-1.js'), 'console.log(1)');
  app = Fastify();
  registerErrorHandler(app);
  await app.register(consoleRoutes, { projectName: 'MCPS.ONE', apiPrefix: '/api/v2', version: '0', webRoot: dir });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the console at /', () => {
  it('serves the app under a strict Content-Security-Policy, naming the API prefix', async () => {
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.body).toContain('content="/api/v2"');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
  });

  it('serves hashed assets for a year and client routes as the app', async () => {
    const asset = await app.inject({ url: '/assets/app-1.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    const route = await app.inject({ url: '/servers/abc?x=1' });
    expect(route.statusCode).toBe(200);
    expect(route.body).toContain('/assets/app-1.js');
  });

  it('leaves API and tool paths their problem+json 404', async () => {
    for (const url of ['/api/v2/nope', '/mcp/x/y', '/docs/nope', '/assets/missing.js', '/openapi.json/x']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type'], url).toContain('application/problem+json');
    }
  });
});
