import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, LOOPBACK } from '../../test/helpers/boot-context.js';
import { freePort } from '../../test/helpers/free-port.js';
import { startHttpReceiver } from '../../test/helpers/http-receiver.js';
import { serveCli } from '../../test/helpers/serve-cli.js';
import { createTestDatabase } from '../../test/helpers/test-db.js';
import { waitFor } from '../../test/helpers/wait-for.js';

/** The real `mcps serve`: a queued retry survives a SIGKILL and the next start's worker delivers it. */
const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function login(url: string): Promise<Record<string, string>> {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
  return { authorization: `Bearer ${((await res.json()) as { access_token: string }).access_token}`, 'content-type': 'application/json' };
}

describe('notifications across a SIGKILL', () => {
  it('a delivery pending a retry when the platform is killed is delivered after the restart', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'mcps-notify-serve-'));
    const database = await createTestDatabase();
    const rx = await startHttpReceiver(() => ({ status: 503, body: 'down' }));
    cleanup.push(() => rmSync(cwd, { recursive: true, force: true }), () => database.drop(), () => rx.close());
    const env = { ENVIRONMENT: 'test', DATABASE_URL: database.url, MCPS_ADMIN_PASSWORD: ADMIN_PASSWORD, MCPS_OUTBOUND_ALLOW: LOOPBACK, LOG_LEVEL: 'warn' };

    const first = serveCli({ cwd, port: await freePort(), env });
    cleanup.push(() => first.child.kill('SIGKILL'));
    await first.ready();
    let headers = await login(first.url);
    const created = await fetch(`${first.url}/api/v1/notifications/channels`, { method: 'POST', headers, body: JSON.stringify({ name: 'hook', settings: { kind: 'webhook', url: `${rx.url}/hook` } }) });
    expect(created.status).toBe(201);
    const test = (await (await fetch(`${first.url}/api/v1/notifications/channels/hook/test`, { method: 'POST', headers: { authorization: headers['authorization']! } })).json()) as { status: string; last_error_code: string };
    expect(test).toMatchObject({ status: 'pending', last_error_code: '503' });
    first.child.kill('SIGKILL');
    await first.exited;

    rx.answer(() => ({ status: 200, body: 'ok' }));
    const second = serveCli({ cwd, port: await freePort(), env });
    cleanup.push(() => second.child.kill('SIGKILL'));
    await second.ready();
    headers = await login(second.url);
    const log = async () => ((await (await fetch(`${second.url}/api/v1/notifications/deliveries`, { headers })).json()) as { items: { status: string; attempts: number }[] }).items;
    await waitFor(async () => (await log())[0]?.status === 'delivered', 30_000, 'the retry after the restart');
    expect(await log()).toMatchObject([{ status: 'delivered', attempts: 2 }]);
    expect(rx.requests.map((r) => r.url)).toEqual(['/hook', '/hook']);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 90_000);
});
