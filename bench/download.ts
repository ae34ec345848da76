/**
 * download_logs on one large object: parallel ranged GETs (8 MiB parts, 4 at a time) divided by one
 * plain GET of the same object, from s3rver on 127.0.0.1, same run, alternating rounds. Both paths
 * verify the size and the MD5 ETag and write through a .part file renamed into place.
 *
 *   npx tsx bench/download.ts                 # 256 MB, 2 rounds
 *   SIZE_MB=64 ROUNDS=3 npx tsx bench/download.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startS3rver } from '../test/helpers/s3rver.js';
import { createOutboundGuard } from '../src/lib/outbound-guard.js';
import { createOutboundPolicy } from '../src/lib/outbound-policy.js';
import { downloadObject } from '../src/storage/download-object.js';
import { createStorageClient } from '../src/storage/storage-client.js';
import type { StorageProfileRow } from '../src/storage/storage.table.js';

const SIZE = Number(process.env['SIZE_MB'] ?? 256) * 1024 * 1024;
const ROUNDS = Number(process.env['ROUNDS'] ?? 2);
const PART = 8 * 1024 * 1024;

const dir = mkdtempSync(path.join(tmpdir(), 'mcps-bench-dl-'));
const s3 = await startS3rver(path.join(dir, 's3'), ['bench']);
const guard = createOutboundGuard(createOutboundPolicy(['127.0.0.0/8']));
const profile = { provider: 's3', region: 'us-east-1', bucket: 'bench', endpoint: s3.endpoint, path_style: 1, timeout_ms: 60_000 } as StorageProfileRow;
const { client, close } = createStorageClient(profile, { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, guard);
try {
  const put = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const { ETag } = await put.send(new PutObjectCommand({ Bucket: 'bench', Key: 'big.bin', Body: randomBytes(SIZE) }));
  put.destroy();
  const object = { bucket: 'bench', key: 'big.bin', size: SIZE, etag: ETag! };

  const run = async (ranged: boolean, n: number): Promise<number> => {
    const started = performance.now();
    await downloadObject(client, object, { dest: path.join(dir, `out-${ranged}-${n}`), partialDir: path.join(dir, 'partial'), tempDir: path.join(dir, 'temp') }, { gunzip: false, partSize: ranged ? PART : SIZE + 1, partConcurrency: 4 });
    const s = (performance.now() - started) / 1000;
    rmSync(path.join(dir, `out-${ranged}-${n}`));
    return SIZE / 1024 / 1024 / s;
  };
  const plain: number[] = [];
  const ranged: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    plain.push(await run(false, i));
    ranged.push(await run(true, i));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`object ${SIZE / 1024 / 1024} MB, ${ROUNDS} rounds`);
  console.log(`plain GET      MB/s: ${plain.map((x) => x.toFixed(0)).join(' ')}  (median ${median(plain).toFixed(0)})`);
  console.log(`ranged x4 8MiB MB/s: ${ranged.map((x) => x.toFixed(0)).join(' ')}  (median ${median(ranged).toFixed(0)})`);
  console.log(`ratio ranged / plain: ${(median(ranged) / median(plain)).toFixed(2)}`);
} finally {
  close();
  await guard.close();
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
}
