import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver } from '../../test/helpers/s3rver.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { createOutboundGuard } from '../lib/outbound-guard.js';
import { createOutboundPolicy } from '../lib/outbound-policy.js';
import { SYSTEM_CALLER } from '../secrets/secret-caller.js';
import { createStorageService } from './storage.service.js';

/**
 * Storage against s3rver on 127.0.0.1: a day of gzipped nginx logs under YYYY/MM/DD, 1,100 small
 * keys on another day, and a 1 MiB object for ranged GETs and resuming.
 */
let s3: { endpoint: string; close(): Promise<void> };
let endpoint: string;
let t: TestApp;
let headers: { authorization: string };
const guard = createOutboundGuard(createOutboundPolicy(['127.0.0.0/8']));
const s3dir = mkdtempSync(path.join(tmpdir(), 'mcps-s3rver-'));
const big = randomBytes(1024 * 1024);
const line = (h: number, i: number) => `10.0.0.${i} - - [01/Dec/2026:${String(h).padStart(2, '0')}:00:00 +0000] "GET /api/${i} HTTP/1.1" 200 512\n`;
const dayLog = (h: number) => Array.from({ length: 20 }, (_, i) => line(h, i)).join('');

beforeAll(async () => {
  s3 = await startS3rver(s3dir, ['logs']);
  endpoint = s3.endpoint;
  const put = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  const puts: { Key: string; Body: Buffer | string }[] = [
    ...Array.from({ length: 24 }, (_, h) => ({ Key: `nginx/2026/12/01/access-${String(h).padStart(2, '0')}.log.gz`, Body: gzipSync(dayLog(h)) })),
    { Key: 'nginx/2026/11/30/access-23.log.gz', Body: gzipSync(dayLog(23)) },
    { Key: 'nginx/2026/12/02/access-00.log.gz', Body: gzipSync(dayLog(0)) },
    ...Array.from({ length: 1100 }, (_, i) => ({ Key: `many/2026/12/03/f-${String(i).padStart(4, '0')}.log`, Body: `${i}\n` })),
    { Key: 'big/blob.bin', Body: big },
  ];
  for (let i = 0; i < puts.length; i += 50) await Promise.all(puts.slice(i, i + 50).map((p) => put.send(new PutObjectCommand({ Bucket: 'logs', ...p }))));
  put.destroy();

  t = await createTestApp();
  headers = await t.login();
  for (const [name, value] of [['S3_KEY', 'S3RVER'], ['S3_SECRET', 'S3RVER']])
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/secrets', headers, payload: { name, value } })).statusCode).toBe(201);
  const res = await t.app.inject({
    method: 'POST', url: '/api/v1/storage/profiles', headers,
    payload: { name: 'local', provider: 's3', region: 'us-east-1', bucket: 'logs', endpoint, path_style: true, access_key_id: '${secret:S3_KEY}', secret_access_key: '${secret:S3_SECRET}', date_pattern: 'YYYY/MM/DD' },
  });
  expect(res.statusCode, res.body).toBe(201);
}, 60_000);

afterAll(async () => {
  await guard.close();
  await t?.close();
  await s3?.close();
  rmSync(s3dir, { recursive: true, force: true });
});

const list = (query: string) => t.app.inject({ method: 'GET', url: `/api/v1/storage/profiles/local/objects?${query}`, headers });
const download = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/storage/downloads', headers, payload: { profile: 'local', ...payload } });

describe('storage profiles', () => {
  it('tests the connection, and refuses credentials in clear, COS buckets without APPID, and operators changing profiles', async () => {
    const test = await t.app.inject({ method: 'POST', url: '/api/v1/storage/profiles/local/test', headers });
    expect(test.statusCode, test.body).toBe(200);
    expect(test.json()).toMatchObject({ ok: true, bucket: 'logs' });
    const base = { provider: 's3', region: 'us-east-1', bucket: 'logs', endpoint, access_key_id: '${secret:S3_KEY}', secret_access_key: '${secret:S3_SECRET}' };
    const clear = await t.app.inject({ method: 'POST', url: '/api/v1/storage/profiles', headers, payload: { ...base, name: 'clear', secret_access_key: 'S3RVER' } });
    expect(clear.statusCode).toBe(400);
    expect(clear.body).not.toContain('S3RVER');
    const cos = await t.app.inject({ method: 'POST', url: '/api/v1/storage/profiles', headers, payload: { ...base, name: 'cos', provider: 'cos', region: 'ap-guangzhou', endpoint: undefined } });
    expect(cos.statusCode).toBe(400);
    expect(cos.json().detail).toMatch(/name-APPID/);
    const operator = await t.as('operator');
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/storage/profiles', headers: operator, payload: { ...base, name: 'op' } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/storage/profiles', headers: operator })).json().items.map((p: { name: string }) => p.name)).toEqual(['local']);
  });
});

describe('list_log_files over REST', () => {
  it('lists one day of a date layout, with a glob, sizes and dates', async () => {
    const res = await list('from=2026-12-01&to=2026-12-01&prefix=nginx/');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.items).toHaveLength(24);
    expect(body.items.every((i: { date: string; size: number }) => i.date === '2026-12-01' && i.size > 0)).toBe(true);
    expect(body).toMatchObject({ left_out: 0, next_cursor: null });
    expect((await list('prefix=nginx/&glob=**/access-23.log.gz')).json().items.map((i: { key: string }) => i.key)).toEqual(['nginx/2026/11/30/access-23.log.gz', 'nginx/2026/12/01/access-23.log.gz']);
  });

  it('pages past 1,000 keys and says how many were left out', async () => {
    const res = await list('prefix=many/&limit=1000');
    expect(res.statusCode, res.body).toBe(200);
    const first = res.json();
    expect(first.items).toHaveLength(1000);
    expect(first.left_out).toBe(100);
    expect(first.hint).toMatch(/100 more keys/);
    const second = (await list(`prefix=many/&limit=1000&cursor=${first.next_cursor}`)).json();
    expect(second.items).toHaveLength(100);
    expect(second.items[0].key).toBe('many/2026/12/03/f-1000.log');
    expect(second.next_cursor).toBeNull();
  });
});

describe('download_logs over REST', () => {
  it('downloads a day gunzipped into DATA_DIR/downloads/<profile>/<key>, then skips the unchanged files', async () => {
    const res = await download({ prefix: 'nginx/', from: '2026-12-01', to: '2026-12-01', gunzip: true, concurrency: 6 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ downloaded: 24, skipped: 0, failed: 0 });
    const dir = path.join(t.config.dataDir, 'downloads', 'local', 'nginx', '2026', '12', '01');
    expect(readdirSync(dir)).toHaveLength(24);
    expect(readFileSync(path.join(dir, 'access-07.log'), 'utf8')).toBe(dayLog(7));
    const again = (await download({ prefix: 'nginx/', from: '2026-12-01', to: '2026-12-01', gunzip: true })).json();
    expect(again).toMatchObject({ downloaded: 0, skipped: 24 });
  });

  it('fetches a large object as parallel ranged GETs and resumes it after an interruption', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mcps-dl-'));
    try {
      const service = createStorageService({ db: t.ctx.db, audit: t.ctx.audit, guard, secrets: t.ctx.secrets, dataDir, downloadsMaxBytes: 1e9, partSize: 64 * 1024 });
      const abort = new AbortController();
      const interrupted = service.download({ profile: 'local', keys: ['big/blob.bin'], gunzip: false, concurrency: 1, max_files: 10 }, SYSTEM_CALLER, {
        signal: abort.signal,
        onProgress: () => {},
      });
      // Cut once a third of the bytes are in.
      const watch = setInterval(() => {
        const partial = path.join(dataDir, 'partial', 'local');
        if (!existsSync(partial)) return;
        const state = readdirSync(partial).find((f) => f.endsWith('.json') && !f.endsWith('.tmp'));
        if (state && JSON.parse(readFileSync(path.join(partial, state), 'utf8')).done.length >= 5) abort.abort();
      }, 2);
      await expect(interrupted).rejects.toThrow(/cancelled/);
      clearInterval(watch);
      const dest = path.join(dataDir, 'downloads', 'local', 'big', 'blob.bin');
      expect(existsSync(dest)).toBe(false);
      const resumed = await service.download({ profile: 'local', keys: ['big/blob.bin'], gunzip: false, concurrency: 1, max_files: 10 }, SYSTEM_CALLER);
      expect(resumed.files[0]).toMatchObject({ status: 'downloaded', ranged: true, resumed: true });
      expect(readFileSync(dest).equals(big)).toBe(true);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('keeps within the download budget by evicting the oldest files, and refuses what cannot fit', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mcps-dl-'));
    try {
      const service = createStorageService({ db: t.ctx.db, audit: t.ctx.audit, guard, secrets: t.ctx.secrets, dataDir, downloadsMaxBytes: 10 });
      const one = (key: string) => service.download({ profile: 'local', keys: [key], gunzip: false, concurrency: 1, max_files: 10 }, SYSTEM_CALLER);
      await one('many/2026/12/03/f-0001.log');
      await one('many/2026/12/03/f-0002.log');
      await one('many/2026/12/03/f-0003.log');
      const root = path.join(dataDir, 'downloads', 'local', 'many', '2026', '12', '03');
      expect(await one('many/2026/12/03/f-1000.log')).toMatchObject({ downloaded: 1, evicted: 1 });
      expect(readdirSync(root).sort()).toEqual(['f-0002.log', 'f-0003.log', 'f-1000.log']);
      await expect(one('big/blob.bin')).rejects.toThrow(/DOWNLOADS_MAX_GB/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('counts gunzipped files at their decompressed size: the folder ends within the budget', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'mcps-dl-'));
    const budget = 2 * Buffer.byteLength(dayLog(0)) + 200;
    try {
      const service = createStorageService({ db: t.ctx.db, audit: t.ctx.audit, guard, secrets: t.ctx.secrets, dataDir, downloadsMaxBytes: budget });
      const hour = (h: string) => service.download({ profile: 'local', keys: [`nginx/2026/12/01/access-${h}.log.gz`], gunzip: true, concurrency: 1, max_files: 10 }, SYSTEM_CALLER);
      expect(await hour('00')).toMatchObject({ downloaded: 1, evicted: 0 });
      expect(await hour('01')).toMatchObject({ downloaded: 1, evicted: 0 });
      expect(await hour('02')).toMatchObject({ downloaded: 1, evicted: 1 });
      const root = path.join(dataDir, 'downloads', 'local', 'nginx', '2026', '12', '01');
      expect(readdirSync(root).sort()).toEqual(['access-01.log', 'access-02.log']);
      const used = readdirSync(root).reduce((n, f) => n + readFileSync(path.join(root, f)).length, 0);
      expect(used).toBeLessThanOrEqual(budget);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
