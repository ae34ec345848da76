import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { needs } from '../../test/helpers/needs.js';
import { createTestDatabase } from '../../test/helpers/test-db.js';
import { connect } from '../db/connect.js';
import { migrateToLatest } from '../db/migrator.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { createLeaseKeeper } from './lease-keeper.js';
import { createLeasesRepository } from './leases.repository.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

// A query that hangs needs a server to hang on: another session's table lock on PostgreSQL. (With
// SQLite, a locked file blocks the process itself until the busy timeout: nothing runs meanwhile.)
describe.skipIf(!needs('postgres'))('a lease keeper whose database stops answering (PostgreSQL)', () => {
  it('ends the lease at its deadline while the renewal still waits, and does not count a late answer', async () => {
    const database = await createTestDatabase('postgres');
    cleanup.push(() => database.drop());
    const h = connect(database.url);
    cleanup.push(() => h.close());
    await migrateToLatest(h.db);
    const keeper = createLeaseKeeper({ leases: createLeasesRepository(h.db), holder: 'A', ttlMs: 600 });
    const expired: string[] = [];
    keeper.onExpired((name) => expired.push(name));
    expect(await keeper.acquire('job')).toBe(true);
    expect(await keeper.renewAll(() => {})).toEqual([]);

    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    await locker.query('begin');
    await locker.query('lock table leases in access exclusive mode');
    const renewing = keeper.renewAll(() => {});
    await waitFor(() => expired.length > 0, 10_000, 'the deadline');
    expect(expired).toEqual(['job']);
    expect(keeper.holds('job')).toBe(false);

    await locker.query('rollback');
    await locker.end();
    expect(await renewing).toEqual(['job']);
    expect(keeper.holds('job')).toBe(false);
    // Taken again explicitly, it is held with a fresh deadline.
    expect(await keeper.acquire('job')).toBe(true);
    await keeper.release('job');
  });
});
