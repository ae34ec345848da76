import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { startS3rver } from '../helpers/s3rver.js';
import { type CrashFigures, reportFigures } from './crash-figures.js';
import { crashPlatform, randomMs, ROUNDS } from './crash-platform.js';
import { integrityFailures } from './integrity.js';

const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const filesUnder = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(path.join(dir, f)).isFile()) : []);

/**
 * Downloads from an S3 bucket (s3rver), each round adding four objects of 1 MB (two plain, two
 * gzipped and stored decompressed) and downloading the whole prefix again, killed -9 at a random
 * moment. After every kill: each file under DATA_DIR/downloads is whole and equal to its object
 * (a partial one is never in a final place), every file a 2xx answer reported is there, and each
 * recorded download names a file that is there. At the end, one full run leaves no partial file.
 */
describe('crash consistency: downloads', () => {
  it(`kill -9 during a download, ${ROUNDS} times`, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcps-crash-s3-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const s3 = await startS3rver(dir, ['data']);
    cleanup.push(() => s3.close());
    const put = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    cleanup.push(() => put.destroy());
    /** Local path (relative to downloads/<profile>) -> sha256 of what it must hold. */
    const expected = new Map<string, string>();
    const addObjects = async (round: number) => {
      for (let i = 0; i < 4; i++) {
        const key = `data/r${String(round).padStart(2, '0')}/f${i}`;
        if (i < 2) {
          const body = randomBytes(1024 * 1024);
          await put.send(new PutObjectCommand({ Bucket: 'data', Key: `${key}.bin`, Body: body }));
          expected.set(`${key}.bin`, sha(body));
        } else {
          const text = Buffer.from(Array.from({ length: 20_000 }, (_, j) => `${round} ${i} ${j} ${randomBytes(8).toString('hex')}\n`).join(''));
          await put.send(new PutObjectCommand({ Bucket: 'data', Key: `${key}.log.gz`, Body: gzipSync(text) }));
          expected.set(`${key}.log`, sha(text));
        }
      }
    };

    const p = await crashPlatform();
    await p.start();
    await p.api('POST', '/secrets', { name: 'S3_KEY', value: 'S3RVER' });
    await p.api('POST', '/secrets', { name: 'S3_SECRET', value: 'S3RVER' });
    await p.api('POST', '/storage/profiles', { name: 'local', provider: 's3', region: 'us-east-1', bucket: 'data', endpoint: s3.endpoint, path_style: true, access_key_id: '${secret:S3_KEY}', secret_access_key: '${secret:S3_SECRET}' });
    const local = path.join(p.dataDir, 'downloads', 'local');
    const download = () => p.api<{ files: { key: string; status: string; path: string | null }[] }>('POST', '/storage/downloads', { profile: 'local', prefix: 'data/', gunzip: true, concurrency: 4 });

    const f: CrashFigures = { case: 'download', rounds: ROUNDS, kills: 0, acked: 0, lost: 0, duplicates: 0, integrity_failures: 0 };
    const acked = new Set<string>();
    const lost = new Set<string>();
    const duplicates: string[] = [];
    const integrity: string[] = [];
    const torn = new Set<string>();
    const check = async () => {
      const present = new Set(filesUnder(local));
      for (const rel of present) {
        const want = expected.get(rel);
        if (want === undefined || sha(readFileSync(path.join(local, rel))) !== want) torn.add(rel);
      }
      for (const rel of acked) if (!present.has(rel)) lost.add(rel);
      const rows = await p.db().db.selectFrom('storage_files').select(['key', 'local_path', 'local_size']).execute();
      const keys = rows.map((r) => r.key);
      duplicates.push(...keys.filter((k, i) => keys.indexOf(k) !== i));
      for (const r of rows) if (!existsSync(path.join(p.dataDir, 'downloads', r.local_path)) && !existsSync(r.local_path)) torn.add(`recorded but missing: ${r.local_path}`);
    };

    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0) await p.start();
      await addObjects(round);
      const run = download().then(
        (r) => r.files.filter((x) => x.status !== 'failed' && x.path).forEach((x) => acked.add(x.path!.replace(/^local\//, ''))),
        () => undefined,
      );
      await p.killAfter(randomMs(50, 1500));
      f.kills++;
      await run;
      integrity.push(...(await integrityFailures(p)));
      await check();
    }
    await p.start();
    const last = await download();
    expect(last.files.filter((x) => x.status === 'failed')).toEqual([]);
    for (const x of last.files) acked.add(x.path!.replace(/^local\//, ''));
    await p.kill();
    await check();
    expect(new Set(filesUnder(local))).toEqual(new Set(expected.keys()));
    const leftovers = ['partial', 'temp'].flatMap((d) => filesUnder(path.join(p.dataDir, d)));
    f.acked = acked.size;
    f.lost = lost.size;
    f.duplicates = duplicates.length;
    integrity.push(...[...torn].map((t) => `torn or unexpected file: ${t}`), ...(await integrityFailures(p)));
    integrity.push(...leftovers.filter((x) => /\.(part|json|tmp)$/.test(x)).map((x) => `partial file left after a complete run: ${x}`));
    f.integrity_failures = integrity.length;
    f.extra = { objects: expected.size, torn_files: torn.size, partial_files_left: leftovers.length };
    reportFigures(f, { lost: [...lost], duplicates, integrity });
  });
});
