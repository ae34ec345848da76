import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../test/helpers/test-context.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { localCaller } from './secret-caller.js';

const OLD = randomBytes(32).toString('base64');
const NEW = randomBytes(32).toString('base64');
const cli = localCaller('cli', 'rewrap-test');

let database: TestDatabase;
const open: TestContext[] = [];
const contextWith = async (env: Record<string, string>) => {
  const c = await createTestContext(database.url, env);
  open.push(c);
  return c;
};
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  for (const c of open) await c.dispose();
  await database.drop();
});

describe('mcps secrets rewrap', () => {
  it('moves every data key to the newest master key in batches; interrupted half-way and resumed, everything decrypts with the new key alone', async () => {
    // Written under the old key (a single MCPS_MASTER_KEY is version v1): 4 secrets, 8 live versions, 1 destroyed.
    const before = await contextWith({ MCPS_MASTER_KEY: OLD });
    const expected = new Map<string, string>();
    for (const s of ['ALPHA', 'BRAVO', 'CHARLIE', 'DELTA']) {
      await before.ctx.secrets.create({ name: s, value: `${s}-1` }, cli);
      expected.set(`${s}#1`, `${s}-1`);
    }
    for (const s of ['ALPHA', 'BRAVO', 'CHARLIE']) {
      await before.ctx.secrets.update(s, { value: `${s}-2` }, cli);
      expected.set(`${s}#2`, `${s}-2`);
    }
    await before.ctx.secrets.update('DELTA', { value: 'DELTA-2' }, cli);
    await before.ctx.secrets.update('DELTA', { value: 'DELTA-3' }, cli);
    await before.ctx.secrets.destroyVersion('DELTA', 1, cli);
    expected.delete('DELTA#1');
    expected.set('DELTA#2', 'DELTA-2').set('DELTA#3', 'DELTA-3');
    expect(expected.size).toBe(8);
    const valueColumns = async () =>
      (await before.ctx.db.selectFrom('secret_versions').select(['secret_id', 'version', 'nonce', 'tag', 'ciphertext']).orderBy('secret_id').orderBy('version').execute());
    const sealedBefore = await valueColumns();

    const both = await contextWith({ MCPS_MASTER_KEYS: `v2:${NEW},v1:${OLD}` });
    const stop = new AbortController();
    const first = await both.ctx.secrets.rewrap({ batchSize: 3, signal: stop.signal, onBatch: () => stop.abort() }, cli);
    expect(first).toEqual({ kek_version: 'v2', rewrapped: 3, failed: [], remaining: 5, aborted: true });

    // Half-way: a ring with only the new key reads the moved versions and names the missing key for the rest.
    const onlyNew = await contextWith({ MCPS_MASTER_KEYS: `v2:${NEW}` });
    const kekOf = async () =>
      new Map(
        (await both.ctx.db.selectFrom('secret_versions').innerJoin('secrets', 'secrets.id', 'secret_versions.secret_id').select(['name', 'version', 'kek_version', 'wrapped_dek']).execute())
          .map((r) => [`${r.name}#${r.version}`, r]),
      );
    const halfway = await kekOf();
    const moved = [...expected.keys()].filter((k) => halfway.get(k)!.kek_version === 'v2');
    const pending = [...expected.keys()].filter((k) => halfway.get(k)!.kek_version === 'v1');
    expect([moved.length, pending.length]).toEqual([3, 5]);
    for (const key of moved) {
      const [name, v] = key.split('#') as [string, string];
      expect((await onlyNew.ctx.secrets.reveal(name, { version: Number(v), reason: 'check' }, cli)).value).toBe(expected.get(key));
    }
    const [pName, pVersion] = pending[0]!.split('#') as [string, string];
    await expect(onlyNew.ctx.secrets.reveal(pName, { version: Number(pVersion), reason: 'check' }, cli)).rejects.toThrow(/unknown master key version v1/);

    // Without the old key the rest cannot be moved: reported, not looped on.
    const stuck = await onlyNew.ctx.secrets.rewrap({ batchSize: 2 }, cli);
    expect(stuck).toMatchObject({ rewrapped: 0, remaining: 5, aborted: false });
    expect(stuck.failed.map((f) => `${f.name}#${f.version}`).sort()).toEqual([...pending].sort());

    // Resumed with both keys: picks up what is left.
    const second = await both.ctx.secrets.rewrap({ batchSize: 3 }, cli);
    expect(second).toEqual({ kek_version: 'v2', rewrapped: 5, failed: [], remaining: 0, aborted: false });
    expect((await both.ctx.secrets.rewrap({}, cli)).rewrapped).toBe(0);

    for (const [key, value] of expected) {
      const [name, v] = key.split('#') as [string, string];
      expect((await onlyNew.ctx.secrets.reveal(name, { version: Number(v), reason: 'after rewrap' }, cli)).value).toBe(value);
    }
    const after = await kekOf();
    expect([...after.values()].filter((r) => r.wrapped_dek !== null).every((r) => r.kek_version === 'v2')).toBe(true);
    // Only the wrapped data keys changed: nonce, tag and ciphertext are as sealed.
    expect(await valueColumns()).toEqual(sealedBefore);

    const audit = await both.ctx.db.selectFrom('operation_logs').selectAll().where('action', '=', 'secret.rewrap').orderBy('id').execute();
    expect(audit.map((r) => [r.actor_name, JSON.parse(r.details!).rewrapped, JSON.parse(r.details!).aborted])).toEqual([
      ['rewrap-test', 3, true],
      ['rewrap-test', 0, false],
      ['rewrap-test', 5, false],
      ['rewrap-test', 0, false],
    ]);
  });
});
