import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { startS3rver } from '../helpers/s3rver.js';
import { waitFor } from '../helpers/wait-for.js';
import { type CrashFigures, reportFigures } from './crash-figures.js';
import { crashPlatform, randomMs, ROUNDS } from './crash-platform.js';
import { integrityFailures } from './integrity.js';

const FILES = 60;
const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});
const logFile = (h: number) =>
  Array.from({ length: 4000 }, (_, i) => `10.0.${h}.${i % 250} - - [01/Dec/2026:${String(h % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00 +0000] "GET /api/items/${i} HTTP/1.1" ${i % 50 ? 200 : 503} 512 "-" "curl/8"\n`).join('');

/**
 * A download_analyze batch over 60 log files (embedded queue, short leases), killed -9 at a random
 * moment of each round and started again; a finished batch is followed by a new one. After every
 * kill: no item done before it went back or ran again, none completed twice. At the end every batch
 * completes with each item done exactly once and no partial file left behind.
 */
describe('crash consistency: batch jobs', () => {
  it(`kill -9 during a batch, ${ROUNDS} times`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcps-crash-s3-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const s3 = await startS3rver(dir, ['logs']);
    cleanup.push(() => s3.close());
    const put = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    for (let i = 0; i < FILES; i += 10)
      await Promise.all(Array.from({ length: 10 }, (_, j) => put.send(new PutObjectCommand({ Bucket: 'logs', Key: `nginx/2026/12/01/access-${String(i + j).padStart(2, '0')}.log`, Body: logFile(i + j) }))));
    put.destroy();

    const p = await crashPlatform({ env: { MCPS_JOBS_LEASE_MS: '1500', MCPS_JOBS_POLL_MS: '100' } });
    await p.start();
    await p.api('POST', '/secrets', { name: 'S3_KEY', value: 'S3RVER' });
    await p.api('POST', '/secrets', { name: 'S3_SECRET', value: 'S3RVER' });
    await p.api('POST', '/storage/profiles', { name: 'local', provider: 's3', region: 'us-east-1', bucket: 'logs', endpoint: s3.endpoint, path_style: true, access_key_id: '${secret:S3_KEY}', secret_access_key: '${secret:S3_SECRET}', date_pattern: 'YYYY/MM/DD' });
    const newBatch = async () => (await p.api('POST', '/jobs', { operation: 'download_analyze', params: { profile: 'local', prefix: 'nginx/', from: '2026-12-01', to: '2026-12-01' }, concurrency: 2 }))['id'] as string;
    const batches = [await newBatch()];
    const items = () => p.db().db.selectFrom('job_items').select(['batch_id', 'seq', 'status', 'attempts', 'completions']).execute();

    const f: CrashFigures = { case: 'batch job', rounds: ROUNDS, kills: 0, acked: 0, lost: 0, duplicates: 0, integrity_failures: 0 };
    /** Items seen done at a kill, with their attempts then: they must stay done and never run again. */
    const done = new Map<string, number>();
    const lost = new Set<string>();
    const duplicates = new Set<string>();
    const integrity: string[] = [];
    let resumedBatches = 0;
    const check = async () => {
      const now = new Map((await items()).map((i) => [`${i.batch_id}#${i.seq}`, i]));
      for (const [k, attempts] of done) {
        const i = now.get(k);
        if (!i || i.status !== 'done' || i.attempts !== attempts) lost.add(`${k}: ${i?.status} after ${i?.attempts} attempts (done after ${attempts})`);
      }
      for (const [k, i] of now) {
        if (i.completions > 1) duplicates.add(k);
        if (i.status === 'done' && !done.has(k)) done.set(k, i.attempts);
      }
    };

    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0) {
        await p.start();
        const b = await p.api('GET', `/jobs/${batches.at(-1)}`);
        if (b['status'] === 'completed') batches.push(await newBatch());
        else resumedBatches++;
      }
      await p.killAfter(randomMs(200, 2500));
      f.kills++;
      integrity.push(...(await integrityFailures(p)));
      await check();
    }
    await p.start();
    for (const id of batches) await waitFor(async () => (await p.api('GET', `/jobs/${id}`))['status'] === 'completed', 300_000, `batch ${id} completed`);
    await p.kill();
    await check();
    const all = await items();
    expect(all).toHaveLength(FILES * batches.length);
    expect(all.filter((i) => i.status !== 'done' || i.completions !== 1)).toEqual([]);
    const leftovers = ['partial', 'temp'].flatMap((d) => (existsSync(path.join(p.dataDir, d)) ? readdirSync(path.join(p.dataDir, d), { recursive: true, encoding: 'utf8' }) : []));
    integrity.push(...leftovers.filter((x) => /\.(part|json|tmp)$/.test(x)).map((x) => `partial file left after the batch completed: ${x}`), ...(await integrityFailures(p)));
    f.acked = done.size;
    f.lost = lost.size;
    f.duplicates = duplicates.size;
    f.integrity_failures = integrity.length;
    f.extra = { batches: batches.length, items: all.length, batches_resumed: resumedBatches, attempts: all.reduce((n, i) => n + i.attempts, 0) };
    reportFigures(f, { lost: [...lost], duplicates: [...duplicates], integrity });
  });
});
