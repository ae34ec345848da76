import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';

let t: TestApp;
let admin: { authorization: string };
beforeAll(async () => {
  t = await createTestApp();
  admin = await t.login();
});
afterAll(async () => t.close());

const keyCount = async () => Number((await t.ctx.db.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

describe('POST /gateway/api-keys writes the key and its allowlists together', () => {
  it('leaves no key behind when the allowlist cannot be written (no key without its policy, which would allow every server)', async () => {
    const before = await keyCount();
    // The database refuses the policy write: its table is briefly out of the way.
    await sql`alter table gateway_key_policies rename to gateway_key_policies_away`.execute(t.ctx.db);
    try {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/gateway/api-keys',
        headers: admin,
        payload: { name: 'half-made', role: 'operator', allowed_servers: ['nothing-here'] },
      });
      expect(res.statusCode).toBe(500);
    } finally {
      await sql`alter table gateway_key_policies_away rename to gateway_key_policies`.execute(t.ctx.db);
    }
    expect(await keyCount()).toBe(before);
    expect(await t.ctx.db.selectFrom('api_keys').select('id').where('name', '=', 'half-made').execute()).toEqual([]);
  });

  it('stores both when all goes well, and a key without lists has no policy row', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/gateway/api-keys', headers: admin, payload: { name: 'bound', role: 'operator', allowed_servers: ['a*'] } });
    expect(res.statusCode).toBe(201);
    expect(res.json().allowlist).toMatchObject({ allowed_servers: ['a*'], allowed_tools: null });
    const id = res.json().api_key.id as string;
    expect(await t.ctx.db.selectFrom('gateway_key_policies').select('allowed_servers').where('api_key_id', '=', id).executeTakeFirst()).toEqual({ allowed_servers: '["a*"]' });

    const open = await t.app.inject({ method: 'POST', url: '/api/v1/gateway/api-keys', headers: admin, payload: { name: 'open', role: 'viewer' } });
    expect(open.statusCode).toBe(201);
    expect(open.json().allowlist).toMatchObject({ allowed_servers: null, allowed_tools: null, updated_at: null });
  });
});
