import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../test/helpers/run-cli.js';
import { startS3rver } from '../../test/helpers/s3rver.js';
import { createTestDatabase } from '../../test/helpers/test-db.js';

const cleanup: (() => Promise<void>)[] = [];
let endpoint: string;
let cwd: string;
const env: Record<string, string> = { ENVIRONMENT: 'test', MCPS_OUTBOUND_ALLOW: '127.0.0.0/8' };
const line = (h: number) => `10.0.0.1 - - [01/Dec/2026:${String(h).padStart(2, '0')}:00:00 +0000] "GET /api HTTP/1.1" 200 512\n`;

beforeAll(async () => {
  const s3dir = mkdtempSync(path.join(tmpdir(), 'mcps-storage-cli-s3-'));
  cwd = mkdtempSync(path.join(tmpdir(), 'mcps-storage-cli-'));
  cleanup.push(async () => rmSync(s3dir, { recursive: true, force: true }), async () => rmSync(cwd, { recursive: true, force: true }));
  const s3 = await startS3rver(s3dir, ['logs']);
  cleanup.unshift(() => s3.close());
  endpoint = s3.endpoint;
  const put = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  for (const d of ['2026/11/30', '2026/12/01', '2026/12/02'])
    await put.send(new PutObjectCommand({ Bucket: 'logs', Key: `nginx/${d}/access.log.gz`, Body: gzipSync(line(1).repeat(10)) }));
  put.destroy();
  if (process.env['TEST_DATABASE_URL']?.startsWith('postgres')) {
    const db = await createTestDatabase('postgres');
    cleanup.push(() => db.drop());
    env['DATABASE_URL'] = db.url;
  }
}, 60_000);

afterAll(async () => {
  for (const c of cleanup) await c();
});

const mcps = (args: string[], input?: string) => runCli(args, { cwd, env, ...(input === undefined ? {} : { input }) });

/** `mcps storage ...` as an on-call engineer runs it against an S3-compatible store (s3rver on loopback). */
describe('mcps storage', () => {
  it('add a profile with secret references, list a day of logs, download it, remove the profile', { timeout: 120_000 }, async () => {
    expect((await mcps(['secrets', 'set', 'S3_KEY'], 'S3RVER')).code).toBe(0);
    expect((await mcps(['secrets', 'set', 'S3_SECRET'], 'S3RVER')).code).toBe(0);
    const add = await mcps(['storage', 'add', 'local', '--provider', 's3', '--region', 'us-east-1', '--bucket', 'logs', '--endpoint', endpoint, '--path-style',
      '--access-key-id', '${secret:S3_KEY}', '--secret-access-key', '${secret:S3_SECRET}', '--prefix', 'nginx/', '--date-pattern', 'YYYY/MM/DD']);
    expect(add.stderr).toBe('');
    expect(add.stdout.trim()).toBe('added storage profile local (s3, bucket logs)');

    const profiles = await mcps(['storage', 'profiles']);
    expect(profiles.stdout).toMatch(/^local\ts3\tlogs\tnginx\/\tYYYY\/MM\/DD$/m);

    const ls = await mcps(['storage', 'ls', 'local', '--from', '2026-12-01', '--to', '2026-12-01', '--json']);
    expect(ls.code, ls.stderr).toBe(0);
    expect((JSON.parse(ls.stdout) as { items: { key: string }[] }).items.map((i) => i.key)).toEqual(['nginx/2026/12/01/access.log.gz']);

    const dl = await mcps(['storage', 'download', 'local', '--from', '2026-12-01', '--to', '2026-12-02', '--gunzip']);
    expect(dl.code, dl.stderr).toBe(0);
    expect(dl.stdout).toMatch(/^2 downloaded, 0 unchanged, 0 failed, \d+ bytes into /m);
    const dir = dl.stdout.trim().split(' into ')[1]!;
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.log')).sort();
    expect(files).toEqual(['nginx/2026/12/01/access.log', 'nginx/2026/12/02/access.log']);
    expect(readFileSync(path.join(dir, files[0]!), 'utf8')).toBe(line(1).repeat(10));
    expect((await mcps(['storage', 'download', 'local', '--from', '2026-12-01', '--to', '2026-12-02', '--gunzip'])).stdout).toMatch(/^0 downloaded, 2 unchanged/m);

    expect((await mcps(['storage', 'rm', 'local'])).stdout.trim()).toBe('removed storage profile local');
    expect(existsSync(path.join(dir, files[0]!))).toBe(true);
    expect((await mcps(['storage', 'profiles'])).stdout.trim()).toBe('no storage profiles');
  });

  it('bad input: one clear line on stderr and exit 1, no profile half-made', { timeout: 120_000 }, async () => {
    const clear = await mcps(['storage', 'add', 'clear', '--provider', 's3', '--region', 'us-east-1', '--bucket', 'logs', '--endpoint', endpoint,
      '--access-key-id', 'AKIDPLAINTEXT', '--secret-access-key', '${secret:S3_SECRET}']);
    expect(clear.code).toBe(1);
    expect(clear.stderr.trim()).toBe('mcps: invalid profile: access_key_id: must be a secret reference, ${secret:NAME}');
    expect(clear.stderr + clear.stdout).not.toContain('AKIDPLAINTEXT');

    const unknown = await mcps(['storage', 'ls', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^mcps: .*nope/);

    expect((await mcps(['storage', 'add', 'nobucket', '--provider', 's3', '--region', 'us-east-1', '--bucket', 'missing-bucket', '--endpoint', endpoint, '--path-style',
      '--access-key-id', '${secret:S3_KEY}', '--secret-access-key', '${secret:S3_SECRET}'])).code).toBe(0);
    const missing = await mcps(['storage', 'ls', 'nobucket']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^mcps: .*missing-bucket/);
    expect((await mcps(['storage', 'profiles'])).stdout).not.toMatch(/^clear\t/m);
  });
});
