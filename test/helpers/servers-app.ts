import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { isGroupAlive } from '../../src/servers/process/child-process.js';
import { fixturePath, type FixtureName } from './fixtures.js';
import { createTestApp, type TestApp } from './test-app.js';
import { waitFor } from './wait-for.js';

/** HTTP test helpers for the servers domain. */

export type Headers = { authorization: string };
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ServersTestApp extends TestApp {
  admin: Headers;
  call(method: Method, url: string, payload?: unknown, headers?: Headers): Promise<LightMyRequestResponse>;
  /** Every pid seen running during the test file, for the leak check at the end. */
  pids: Set<number>;
  status(id: string): Promise<{ state: string; pid: number | null; restarts: number; last_error: string | null }>;
  waitState(id: string, state: string, ms?: number): Promise<void>;
  /** Flushes the protocol recorder and returns the mcp_logs rows for `server` via the API. */
  mcpLog(server: string, extra?: string): Promise<Record<string, unknown>[]>;
  /** Closes the app (stopping every server) and checks that no process group seen is left. */
  closeAndCheck(): Promise<void>;
}

export async function createServersTestApp(env: Record<string, string> = {}): Promise<ServersTestApp> {
  const t = await createTestApp(env);
  const admin = await t.login();
  const pids = new Set<number>();
  const call: ServersTestApp['call'] = (method, url, payload, headers = admin) => {
    const opts: InjectOptions = { method, url: `/api/v1${url}`, headers };
    if (payload !== undefined) opts.payload = payload as InjectOptions['payload'];
    return t.app.inject(opts);
  };
  const status: ServersTestApp['status'] = async (id) => {
    const res = await call('GET', `/tools/${id}/status`);
    expect(res.statusCode, res.body).toBe(200);
    const s = res.json();
    if (s.pid) pids.add(s.pid);
    return s;
  };
  return Object.assign(t, {
    admin,
    call,
    pids,
    status,
    async waitState(id: string, state: string, ms = 20_000) {
      let last = '';
      await waitFor(async () => (last = (await status(id)).state) === state, ms, `${id} to be ${state} (last ${last})`);
    },
    async mcpLog(server: string, extra = '') {
      await t.ctx.servers.recorder.flush();
      const res = await call('GET', `/logs/mcp?server=${server}&limit=500${extra}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().items as Record<string, unknown>[];
    },
    async closeAndCheck() {
      await t.close();
      for (const pid of pids) expect(isGroupAlive(pid), `process group ${pid} left behind`).toBe(false);
    },
  });
}

/** A create body running a fixture with this Node binary. */
export function fixtureBody(name: string, fixture: FixtureName, over: Record<string, unknown> = {}) {
  return { name, transport: 'stdio', command: process.execPath, args: [fixturePath(fixture)], restart_policy: 'never', timeout_ms: 15_000, ...over };
}
