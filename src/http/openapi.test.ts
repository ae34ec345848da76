import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';

interface Response {
  description: string;
  content?: Record<string, { schema?: object }>;
}
interface Operation {
  responses: Record<string, Response>;
  security?: unknown[];
}

let t: TestApp;
let operations: Array<{ name: string; op: Operation }>;
beforeAll(async () => {
  t = await createTestApp();
  const doc = (await t.app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, Record<string, Operation>> }>();
  operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })));
});
afterAll(async () => t.close());

/**
 * A success answer is documented: a schema for its content, or no content at all (204), or a described
 * answer without content (a redirect of the browser, RFC 7009's empty 200).
 */
const documentedSuccess = ([status, r]: [string, Response]) => {
  if (/^30[23]$/.test(status) || (status === '200' && r.content === undefined)) return Boolean(r.description) && r.description !== 'Default Response';
  return /^2/.test(status) && (status === '204' ? r.content === undefined : Object.values(r.content ?? {}).some((c) => c.schema !== undefined));
};

/** The authorization server's endpoints answer errors as RFC 6749 says (`{error, error_description}` JSON), not problem+json. */
const oauthError = (name: string, r: Response) =>
  / \/oauth\//.test(name) && (r.content?.['application/json']?.schema as { properties?: Record<string, unknown> } | undefined)?.properties?.error !== undefined;

describe('the OpenAPI document states every answer', () => {
  it('every operation declares its success response with a schema, and every error as problem+json', () => {
    const missing: string[] = [];
    for (const { name, op } of operations) {
      const responses = Object.entries(op.responses);
      if (!responses.some(documentedSuccess)) missing.push(`${name}: no documented 2xx`);
      for (const [status, r] of responses) {
        if (r.description === 'Default Response' || !r.description) missing.push(`${name} ${status}: no description`);
        if (/^[45]/.test(status) && !(status === '503' && name.endsWith('/system/health')) && !oauthError(name, r) && !r.content?.['application/problem+json']?.schema) {
          missing.push(`${name} ${status}: not problem+json`);
        }
      }
      for (const status of ['400', '500']) if (!op.responses[status]) missing.push(`${name}: no ${status}`);
      if (op.security && !(op.responses['401'] && op.responses['403'])) missing.push(`${name}: authenticated but no 401/403`);
    }
    expect(missing).toEqual([]);
    expect(operations.length).toBeGreaterThan(60);
    console.log(`openapi: ${operations.length - missing.length}/${operations.length} operations declare their responses`);
  });

  it('a route with path parameters declares 404, one with a body 413, the login 429, a binary download its content type', () => {
    const op = (name: string) => operations.find((o) => o.name === name)!.op;
    expect(op('GET /api/v1/users/{id}').responses['404']).toBeDefined();
    expect(op('POST /api/v1/users').responses['413']).toBeDefined();
    expect(op('POST /api/v1/users').responses['409']).toBeDefined();
    expect(op('POST /api/v1/auth/login').responses['429']).toBeDefined();
    expect(op('POST /api/v1/auth/login').responses['401']).toBeDefined();
    expect(Object.keys(op('GET /api/v1/system/backups/{id}/download').responses['200']!.content!)).toEqual(['application/gzip']);
  });

  it('error answers match the declared problem+json schema (the serializer checks them)', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: await t.login(), payload: { username: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ code: 'validation', status: 400, errors: expect.any(Array), request_id: expect.any(String) });
  });
});
