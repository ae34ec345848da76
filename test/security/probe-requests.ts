import { randomUUID } from 'node:crypto';
import { ADMIN_PASSWORD } from '../helpers/boot-context.js';
import { fillPath, type Operation } from './openapi-operations.js';
import { sampleValid, type Rng } from './schema-sample.js';
import type { SecurityApp } from './security-app.js';

/**
 * A valid request for each operation, aimed at the probe's real objects. Operations that would
 * destroy the probe's own set-up are aimed at a victim object, or given a body that stops short.
 */

type Ids = SecurityApp['ids'];

interface Override {
  /** Path parameters to use instead of the defaults. */
  params?: (ids: Ids) => Record<string, string>;
  /** The body to send instead of a sample of the schema. */
  body?: unknown;
  query?: Record<string, string>;
  reason: string;
}

/** Keyed by `METHOD path`; every entry says why it departs from the generated request. */
export const OVERRIDES: Record<string, Override> = {
  'POST /api/v1/auth/login': { body: { username: 'admin', password: ADMIN_PASSWORD }, reason: 'a real login, so an allowed cell can succeed' },
  'POST /api/v1/auth/session': { body: { username: 'admin', password: ADMIN_PASSWORD }, reason: 'a real console sign-in, so an allowed cell can succeed' },
  'PUT /api/v1/auth/me/password': { body: {}, reason: 'a real change would revoke the caller\'s own token' },
  'PUT /api/v1/tools/{tool_id}': { params: (ids) => ({ tool_id: ids.victimServer }), reason: 'would rewrite the running probe server' },
  'DELETE /api/v1/tools/{tool_id}': { params: (ids) => ({ tool_id: ids.victimServer }), reason: 'would delete the probe server' },
  'POST /api/v1/tools/{tool_id}/start': { params: (ids) => ({ tool_id: ids.spare }), reason: 'lifecycle on the spare server, the probe keeps running' },
  'POST /api/v1/tools/{tool_id}/stop': { params: (ids) => ({ tool_id: ids.spare }), reason: 'lifecycle on the spare server, the probe keeps running' },
  'POST /api/v1/tools/{tool_id}/restart': { params: (ids) => ({ tool_id: ids.spare }), reason: 'lifecycle on the spare server, the probe keeps running' },
  'POST /api/v1/tools/{tool_id}/call': { body: { tool: 'echo', arguments: { text: 'probe' } }, reason: 'a tool the probe server has' },
  'POST /api/v1/tools/{tool_id}/read-resource': { body: { uri: 'fixture://hello' }, reason: 'a resource the probe server has' },
  'POST /api/v1/tools/{tool_id}/get-prompt': { body: { name: 'greet', arguments: { who: 'probe' } }, reason: 'a prompt the probe server has' },
  'POST /api/v1/tools/{tool_id}/publish': { body: {}, reason: 'no outbound WebSocket endpoint in this probe' },
  'DELETE /api/v1/secrets/{name}': { params: (ids) => ({ name: ids.victimSecret }), reason: 'keeps the probe secret' },
  'DELETE /api/v1/secrets/{name}/versions/{version}': { params: (ids) => ({ name: ids.victimSecret, version: '1' }), reason: 'keeps the probe secret' },
  'DELETE /api/v1/system/backups/{id}': { params: (ids) => ({ id: ids.victimBackup }), reason: 'keeps the probe backup' },
  'POST /api/v1/system/backups/{id}/restore': { params: () => ({ id: randomUUID() }), reason: 'a restore would replace the probe\'s database' },
  'DELETE /api/v1/logs/cleanup': { query: { type: 'all', older_than_days: '3650' }, reason: 'keeps the logs the probe reads' },
};

function defaultParam(path: string, name: string, ids: Ids): string {
  if (name === 'tool_id' || name === 'server') return ids.probe;
  if (name === 'version') return '1';
  if (name === 'name') return path.includes('/secrets/') ? ids.secret : `${ids.probe}__echo`;
  if (name === 'id' && path.includes('/users/')) return ids.victimUser;
  if (name === 'id' && path.includes('/api-keys/')) return ids.victimKey;
  if (name === 'id' && path.includes('/backups/')) return ids.backup;
  return randomUUID();
}

export interface ProbeRequest {
  method: string;
  url: string;
  body: unknown;
}

/** The valid request for `op` (path, query and body), with OVERRIDES applied. */
export function validRequest(op: Operation, ids: Ids, rng: Rng): ProbeRequest {
  const o = OVERRIDES[`${op.method} ${op.path}`];
  const params = o?.params?.(ids) ?? {};
  const url = fillPath(op.path, (name) => params[name] ?? defaultParam(op.path, name, ids));
  const query = new URLSearchParams(o?.query ?? {});
  if (!o?.query) {
    for (const q of op.query.filter((p) => p.required)) query.set(q.name, String(sampleValid(q.schema, rng)));
  }
  const body = o && 'body' in o ? o.body : op.body ? sampleValid(op.body, rng) : undefined;
  return { method: op.method, url: query.size ? `${url}?${query}` : url, body };
}
