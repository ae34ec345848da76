import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, roleHas, type Permission } from '../../src/auth/permissions.js';
import type { Operation } from './openapi-operations.js';
import { validRequest, type ProbeRequest } from './probe-requests.js';
import { seededRng } from './schema-sample.js';
import { createSecurityApp, type Credential, type SecurityApp } from './security-app.js';

/**
 * Every route x every kind of credential, the expected answer derived from the permission matrix and
 * each operation's `x-permission`. Routes outside the OpenAPI document (MCP transports, /metrics) are
 * listed here with the permission their code declares.
 */

/** Operations that anyone may call; a route newly declared public must be added here on purpose. */
const PUBLIC_OPERATIONS = new Set([
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/session',
  'DELETE /api/v1/auth/session',
  'GET /api/v1/system/health',
  // Single sign-on: the sign-in screen's options, the redirect to a provider and back, and the logout.
  'GET /api/v1/auth/sso',
  'GET /api/v1/auth/sso/{name}/start',
  'GET /api/v1/auth/sso/{name}/callback',
  'POST /api/v1/auth/sso/logout',
  // OAuth Protected Resource Metadata (RFC 9728): how an MCP client finds where to get a token.
  'GET /.well-known/oauth-protected-resource',
  'GET /.well-known/oauth-protected-resource/mcp',
  'GET /.well-known/oauth-protected-resource/mcp/{server}',
  // The authorization server's endpoints an MCP client calls directly (the rest of /oauth is browser pages).
  'GET /.well-known/oauth-authorization-server/oauth',
  'GET /oauth/jwks',
  'POST /oauth/token',
  'POST /oauth/reg',
  'POST /oauth/token/revocation',
]);

const INITIALIZE = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'matrix', version: '1' } } };

function hidden(method: string, path: string, permission: Permission, body?: unknown): Operation & { fixedBody?: unknown } {
  return { method, path, permission, pathParams: path.includes('{server}') ? ['server'] : [], query: [], body: undefined, bodyRequired: false, responses: {}, fixedBody: body };
}

/** Not in the document (hidden): the gateway transports need gateway:use, /metrics system:read. */
const HIDDEN_ROUTES = [
  hidden('POST', '/mcp', 'gateway:use', INITIALIZE),
  hidden('GET', '/mcp', 'gateway:use'),
  hidden('DELETE', '/mcp', 'gateway:use'),
  hidden('POST', '/mcp/{server}', 'gateway:use', INITIALIZE),
  hidden('GET', '/mcp/{server}', 'gateway:use'),
  hidden('DELETE', '/mcp/{server}', 'gateway:use'),
  hidden('GET', '/sse', 'gateway:use'),
  hidden('GET', '/sse/{server}', 'gateway:use'),
  hidden('POST', '/messages', 'gateway:use', { jsonrpc: '2.0', id: 1, method: 'ping' }),
  hidden('GET', '/metrics', 'system:read'),
];

type Expect = 'allow' | 'deny';

/** Routes about one managed server: an allowlisted key must not reach a server outside its list. */
function serverScoped(op: Operation): boolean {
  return op.pathParams.includes('tool_id') || op.pathParams.includes('server');
}

function expected(op: Operation, cred: Credential): Expect {
  if (op.permission === 'public') return 'allow';
  // Webhooks (x-permission `receiver`) take only their receiver's own token or signature: no user
  // credential, not even an admin's, may post alerts there.
  if (op.permission === 'receiver') return 'deny';
  if (cred.role === null) return 'deny';
  if (op.permission !== 'authenticated' && !roleHas(cred.role, op.permission as Permission)) return 'deny';
  if (cred.allowlisted && serverScoped(op)) return 'deny';
  return 'allow';
}

/** Refused by the auth guard: 401, or the guard's 403 (a handler's own 403 is an answer, not a refusal by role). */
function guardRefused(status: number, body: string): boolean {
  return status === 401 || (status === 403 && /lacks permission/.test(body));
}

interface Cell {
  route: string;
  credential: string;
  expect: Expect;
  status: number;
  problem: string | null;
}

function judge(expect: Expect, status: number, body: string): string | null {
  if (status >= 500) return `server error ${status}`;
  if (expect === 'allow') return guardRefused(status, body) ? `wrongly refused (${status})` : null;
  // 401/403/404 refuse by credential; another 4xx (e.g. no session on GET /mcp/{server}) refuses too.
  return status >= 200 && status < 300 ? `wrongly allowed (${status})` : status >= 400 ? null : `unexpected ${status} for a refusal`;
}

let t: SecurityApp;
beforeAll(async () => {
  t = await createSecurityApp();
}, 120_000);
afterAll(async () => {
  await t?.closeAndCheck();
});

describe('authorization matrix', () => {
  it('every documented operation declares its permission (x-permission), and public ones are listed here', () => {
    const undeclared = t.operations.filter((op) => op.permission === undefined || !(op.permission === 'authenticated' || op.permission === 'public' || op.permission === 'receiver' || op.permission in PERMISSIONS));
    expect(undeclared.map((op) => `${op.method} ${op.path}`), 'operations without a known x-permission').toEqual([]);
    const publicOps = t.operations.filter((op) => op.permission === 'public').map((op) => `${op.method} ${op.path}`);
    expect(publicOps.filter((r) => !PUBLIC_OPERATIONS.has(r)), 'public operations missing from PUBLIC_OPERATIONS').toEqual([]);
  });

  it('refuses every cell the permission matrix refuses, and allows every cell it allows', async () => {
    const rng = seededRng(11);
    const routes = [...t.operations, ...HIDDEN_ROUTES];
    const cells: Cell[] = [];
    for (const op of routes) {
      const req: ProbeRequest = 'fixedBody' in op ? { method: op.method, url: op.path.replace('{server}', t.ids.probe), body: op.fixedBody } : validRequest(op, t.ids, rng);
      const creds = [...t.credentials].sort((a, b) => Number(expected(op, b) === 'deny') - Number(expected(op, a) === 'deny'));
      for (const cred of creds) {
        const res = await t.send(req.method, req.url, cred.headers, req.body);
        const exp = expected(op, cred);
        cells.push({ route: `${op.method} ${op.path}`, credential: cred.name, expect: exp, status: res.status, problem: judge(exp, res.status, res.body) });
      }
    }
    const failing = cells.filter((c) => c.problem !== null);
    const wronglyAllowed = failing.filter((c) => c.problem!.startsWith('wrongly allowed'));
    for (const c of failing) console.log(`  ${c.route} as ${c.credential}: ${c.problem}`);
    console.log(`authorization matrix: wrongly allowed ${wronglyAllowed.length}/${cells.length} cells`);
    expect(failing.map((c) => `${c.route} as ${c.credential}: ${c.problem}`)).toEqual([]);
  }, 180_000);
});
