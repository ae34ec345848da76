import { expect } from 'vitest';
import type { Role } from '../../src/auth/roles.js';
import { createGatewayTestApp, WELL_BEHAVED, type GatewayTestApp } from '../helpers/gateway-app.js';
import { operationsOf, type JsonSchema, type Operation } from './openapi-operations.js';

/**
 * The app the security suite probes: listening on loopback, with real objects to aim at (servers,
 * users, keys, secrets, backups) and one credential of every kind.
 */

export interface Credential {
  name: string;
  headers: Record<string, string>;
  /** null: anonymous. */
  role: Role | null;
  /** An operator key whose allowlist names only a server that does not exist. */
  allowlisted: boolean;
}

export interface Sent {
  status: number;
  contentType: string;
  headers: Headers;
  body: string;
}

export interface SecurityApp extends GatewayTestApp {
  doc: JsonSchema;
  operations: Operation[];
  credentials: Credential[];
  /** Real objects by role in the probe: `probe` (running server), `spare` (started and stopped by the probe), ... */
  ids: Record<'probe' | 'spare' | 'victimServer' | 'victimUser' | 'victimKey' | 'secret' | 'victimSecret' | 'backup' | 'victimBackup', string>;
  /** A real HTTP request to the app; an event stream is cut after its headers. */
  send(method: string, url: string, headers: Record<string, string>, body?: unknown, rawBody?: string): Promise<Sent>;
}

export const ALLOWLIST_NOWHERE = ['nothing-here'];

export async function createSecurityApp(opts: { credentials?: boolean } = {}): Promise<SecurityApp> {
  const t = await createGatewayTestApp();
  const ok = async (method: 'POST' | 'GET', url: string, body?: unknown) => {
    const res = await t.call(method, url, body);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.json();
  };
  await t.addServer('probe', [WELL_BEHAVED]);
  await ok('POST', '/tools', { name: 'spare', command: process.execPath, args: [WELL_BEHAVED], restart_policy: 'never' });
  const victimServer = (await ok('POST', '/tools', { name: 'victim', command: process.execPath, args: [WELL_BEHAVED], restart_policy: 'never' })).id as string;
  const victimUser = (await t.ctx.users.create({ username: 'victim-user', password: 'victim-user-password', role: 'viewer' })).id;
  const victimKey = (await ok('POST', '/auth/api-keys', { name: 'victim-key', role: 'viewer' })).api_key.id as string;
  await ok('POST', '/secrets', { name: 'PROBE_SECRET', value: 'probe-secret-value' });
  await ok('POST', '/secrets', { name: 'VICTIM_SECRET', value: 'victim-secret-value' });
  const backup = (await ok('POST', '/system/backups', { label: 'probe' })).id as string;
  const victimBackup = (await ok('POST', '/system/backups', { label: 'victim' })).id as string;
  const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();

  const credentials: Credential[] = [];
  if (opts.credentials !== false) {
    credentials.push({ name: 'anonymous', headers: {}, role: null, allowlisted: false });
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      credentials.push({ name: `user:${role}`, headers: await t.as(role), role, allowlisted: false });
    }
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      const key = (await ok('POST', '/auth/api-keys', { name: `key-${role}`, role })).key as string;
      credentials.push({ name: `key:${role}`, headers: { authorization: `Bearer ${key}` }, role, allowlisted: false });
    }
    const allowlisted = await t.key('allowlisted', { allowed_servers: ALLOWLIST_NOWHERE, role: 'operator' });
    credentials.push({ name: 'key:allowlisted', headers: { 'x-api-key': allowlisted.key }, role: 'operator', allowlisted: true });
  }

  const send: SecurityApp['send'] = async (method, url, headers, body, rawBody) => {
    const controller = new AbortController();
    const hasBody = body !== undefined || rawBody !== undefined;
    const res = await fetch(`${t.base}${url}`, {
      method,
      headers: { ...headers, ...(hasBody ? { 'content-type': 'application/json' } : {}), accept: 'application/json, text/event-stream' },
      ...(hasBody ? { body: rawBody ?? JSON.stringify(body) } : {}),
      signal: controller.signal,
    });
    const contentType = res.headers.get('content-type') ?? '';
    if (contentType.startsWith('text/event-stream') && method === 'GET') {
      controller.abort();
      return { status: res.status, contentType, headers: res.headers, body: '' };
    }
    return { status: res.status, contentType, headers: res.headers, body: await res.text() };
  };

  return Object.assign(t, {
    doc,
    operations: operationsOf(doc),
    credentials,
    ids: { probe: 'probe', spare: 'spare', victimServer, victimUser, victimKey, secret: 'PROBE_SECRET', victimSecret: 'VICTIM_SECRET', backup, victimBackup },
    send,
  });
}
