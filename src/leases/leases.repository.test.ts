import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtFile } from '../../test/helpers/built-file.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { connect, type DbHandle } from '../db/connect.js';
import { migrateToLatest } from '../db/migrator.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { createLeasesRepository, type LeasesRepository } from './leases.repository.js';

const CONTENDER = builtFile('test/fixtures/db/lease-contender.ts');

let database: TestDatabase;
let handles: DbHandle[];
/** Two instances' views of one database: separate connections (pools), as two processes would have. */
let a: LeasesRepository;
let b: LeasesRepository;

beforeAll(async () => {
  database = await createTestDatabase();
  handles = [connect(database.url), connect(database.url)];
  await migrateToLatest(handles[0]!.db);
  a = createLeasesRepository(handles[0]!.db);
  b = createLeasesRepository(handles[1]!.db);
});
afterAll(async () => {
  for (const h of handles) await h.close();
  await database.drop();
});

interface Contender {
  ready: Promise<void>;
  go(): void;
  won: Promise<string[]>;
}

/** A separate process contending for `<prefix>0..count-1`, started but held at the line until go(). */
function contender(holder: string, prefix: string, count: number): Contender {
  const child = spawn(process.execPath, [CONTENDER, database.url, holder, prefix, String(count)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let onReady: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.startsWith('ready\n')) onReady();
  });
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const won = new Promise<string[]>((resolve, reject) =>
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length)) as string[]) : reject(new Error(`contender ${holder} exited ${code}: ${err}`)))),
  );
  return { ready, go: () => child.stdin.end('go\n'), won };
}

/** Two processes race for the same leases; every lease must end with exactly one winner, the one the row names. */
async function race(prefix: string, count: number) {
  const p = contender('proc-1', prefix, count);
  const q = contender('proc-2', prefix, count);
  await Promise.all([p.ready, q.ready]);
  p.go();
  q.go();
  const [w1, w2] = await Promise.all([p.won, q.won]);
  for (let i = 0; i < count; i++) {
    const name = `${prefix}${i}`;
    const winners = [w1.includes(name) && 'proc-1', w2.includes(name) && 'proc-2'].filter(Boolean);
    expect(winners, name).toHaveLength(1);
    expect(await a.holderOf(name)).toBe(winners[0]);
  }
  return { w1, w2 };
}

describe('leases shared by instances on one database', () => {
  it('a held lease is not taken by another instance; its holder renews it; released, it is free at once', async () => {
    expect(await a.tryAcquire('job', 'A', 60_000)).toEqual({ acquired: true });
    expect(await b.tryAcquire('job', 'B', 60_000)).toEqual({ acquired: false, holder: 'A' });
    expect(await a.tryAcquire('job', 'A', 60_000)).toEqual({ acquired: true });
    expect(await b.renew('job', 'B', 60_000)).toBe(false);
    expect(await a.renew('job', 'A', 60_000)).toBe(true);
    await b.release('job', 'B');
    expect(await b.holderOf('job')).toBe('A');
    await a.release('job', 'A');
    expect(await b.holderOf('job')).toBeNull();
    expect(await b.tryAcquire('job', 'B', 60_000)).toEqual({ acquired: true });
    expect(await a.holderOf('job')).toBe('B');
  });

  it('an expired lease is taken over by another instance; the old holder can no longer renew it', async () => {
    expect(await a.tryAcquire('short', 'A', 150)).toEqual({ acquired: true });
    await waitFor(async () => (await b.tryAcquire('short', 'B', 60_000)).acquired, 10_000, 'the takeover after expiry');
    expect(await a.renew('short', 'A', 60_000)).toBe(false);
    expect(await a.tryAcquire('short', 'A', 60_000)).toEqual({ acquired: false, holder: 'B' });
    // A lease taken over keeps the new holder's start time across its renewals.
    const row = await handles[0]!.db.selectFrom('leases').selectAll().where('name', '=', 'short').executeTakeFirstOrThrow();
    expect(await b.renew('short', 'B', 60_000)).toBe(true);
    const renewed = await handles[0]!.db.selectFrom('leases').selectAll().where('name', '=', 'short').executeTakeFirstOrThrow();
    expect(renewed.acquired_at).toBe(row.acquired_at);
    expect(renewed.expires_at).toBeGreaterThanOrEqual(row.expires_at);
  });

  it('two instances calling tryAcquire at once, 200 rounds on free and on expired leases: exactly one winner each round', async () => {
    for (let i = 0; i < 200; i++) {
      const name = `round:${i}`;
      // Every other round the lease exists already, held by an instance that died (expired).
      if (i % 2 === 1) expect((await a.tryAcquire(name, 'dead', 0)).acquired).toBe(true);
      const [ra, rb] = await Promise.all([a.tryAcquire(name, 'A', 60_000), b.tryAcquire(name, 'B', 60_000)]);
      expect([ra.acquired, rb.acquired].filter(Boolean), name).toHaveLength(1);
      const winner = ra.acquired ? 'A' : 'B';
      expect(ra.acquired ? rb : ra).toEqual({ acquired: false, holder: winner });
      expect(await a.holderOf(name)).toBe(winner);
    }
  });

  it('two processes racing for 200 free leases: exactly one wins each', { timeout: 120_000 }, async () => {
    const { w1, w2 } = await race('free:', 200);
    expect(w1.length + w2.length).toBe(200);
  });

  it('two processes racing to take over 200 expired leases: exactly one wins each, the dead holder none', { timeout: 120_000 }, async () => {
    for (let i = 0; i < 200; i++) expect((await a.tryAcquire(`expired:${i}`, 'dead', 0)).acquired).toBe(true);
    const { w1, w2 } = await race('expired:', 200);
    expect(w1.length + w2.length).toBe(200);
    expect(await a.renew('expired:0', 'dead', 60_000)).toBe(false);
  });
});
