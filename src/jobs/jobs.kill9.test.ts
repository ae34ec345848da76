import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_REDIS_URL } from '../../test/components.js';
import { ADMIN_PASSWORD } from '../../test/helpers/boot-context.js';
import { freePort } from '../../test/helpers/free-port.js';
import { needs } from '../../test/helpers/needs.js';
import { cliArgs, runCli } from '../../test/helpers/run-cli.js';
import { startS3rver } from '../../test/helpers/s3rver.js';
import { serveCli, type ServeRun } from '../../test/helpers/serve-cli.js';
import { createTestDatabase } from '../../test/helpers/test-db.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { connect } from '../db/connect.js';

/**
 * The real platform (`mcps serve`) runs a download_analyze batch over 40 log files in s3rver, is
 * killed with SIGKILL in the middle, and started again: the batch finishes with every file done and
 * completed exactly once, and no partial file is left. Then `mcps jobs` (ls, show, watch, cancel)
 * against the running platform. Once per queue: the database, and BullMQ on Redis.
 */
const modes = (['embedded', 'bullmq'] as const).filter((m) => m === 'embedded' || needs('redis'));
const FILES = 40;
const cleanup: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});
const tmp = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

/** An hour of access log, ~400 KB: enough that a file takes a moment to download and analyze. */
const logFile = (h: number) =>
  Array.from({ length: 4000 }, (_, i) => `10.0.${h}.${i % 250} - - [01/Dec/2026:${String(h % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00 +0000] "GET /api/items/${i} HTTP/1.1" ${i % 50 ? 200 : 503} 512 "-" "curl/8"\n`).join('');

async function bucket(): Promise<string> {
  const s3 = await startS3rver(tmp('mcps-s3rver-'), ['logs']);
  cleanup.push(() => s3.close());
  const put = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  for (let i = 0; i < FILES; i += 10)
    await Promise.all(Array.from({ length: 10 }, (_, j) => put.send(new PutObjectCommand({ Bucket: 'logs', Key: `nginx/2026/12/01/access-${String(i + j).padStart(2, '0')}.log`, Body: logFile(i + j) }))));
  put.destroy();
  return s3.endpoint;
}

function api(url: string, token: string) {
  return async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${url}/api/v1${p}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const json = (await res.json().catch(() => null)) as Record<string, any>;
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}

describe.each(modes)('a batch through kill -9 of the platform (%s queue)', (mode) => {
  it('resumes after a restart and completes every item exactly once; mcps jobs ls/show/watch/cancel', { timeout: 240_000 }, async () => {
    const endpoint = await bucket();
    const home = tmp('mcps-home-');
    const database = await createTestDatabase();
    cleanup.push(() => database.drop());
    const redis = mode === 'bullmq' ? `REDIS_URL=${DEFAULT_REDIS_URL}\nMCPS_JOBS_QUEUE_PREFIX=mcps-kill9-${randomBytes(4).toString('hex')}\n` : '';
    writeFileSync(
      path.join(home, '.env'),
      `ENVIRONMENT=test\nLOG_LEVEL=warn\nMCPS_ADMIN_PASSWORD=${ADMIN_PASSWORD}\nMCPS_OUTBOUND_ALLOW=127.0.0.0/8\nMCPS_JOBS_LEASE_MS=1500\nMCPS_JOBS_POLL_MS=100\n${redis}${database.kind === 'postgres' ? `DATABASE_URL=${database.url}\n` : ''}`,
    );
    const dbUrl = database.kind === 'postgres' ? database.url : `sqlite:///${path.join(home, 'data', 'mcps.db')}`;
    // The same port after the restart, as a real install has: a `watch` started before the kill follows on.
    const port = await freePort();
    const start = async (): Promise<ServeRun> => {
      const run = serveCli({ cwd: home, port });
      cleanup.push(() => run.child.kill('SIGKILL'));
      await run.ready();
      return run;
    };

    let platform = await start();
    const login = await fetch(`${platform.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }) });
    const token = ((await login.json()) as { access_token: string }).access_token;
    let call = api(platform.url, token);
    await call('POST', '/secrets', { name: 'S3_KEY', value: 'S3RVER' });
    await call('POST', '/secrets', { name: 'S3_SECRET', value: 'S3RVER' });
    await call('POST', '/storage/profiles', { name: 'local', provider: 's3', region: 'us-east-1', bucket: 'logs', endpoint, path_style: true, access_key_id: '${secret:S3_KEY}', secret_access_key: '${secret:S3_SECRET}', date_pattern: 'YYYY/MM/DD' });
    const { key } = (await call('POST', '/auth/api-keys', { name: 'cli', role: 'operator' })) as { key: string };

    const batch = await call('POST', '/jobs', { operation: 'download_analyze', params: { profile: 'local', prefix: 'nginx/', from: '2026-12-01', to: '2026-12-01' }, concurrency: 4 });
    expect(batch).toMatchObject({ status: 'running', progress: { total: FILES } });
    const db = connect(dbUrl);
    cleanup.push(() => db.close());
    const rows = () => db.db.selectFrom('job_items').selectAll().where('batch_id', '=', batch['id'] as string).orderBy('seq').execute();
    // Killed while items run (not in the instant between two): watched in the database itself, so the
    // kill follows the observation within milliseconds (through the REST API, on a loaded machine, the
    // running items could finish before the kill landed).
    const count = (r: { status: string }[], status: string) => r.filter((i) => i.status === status).length;
    await waitFor(async () => ((r) => count(r, 'done') >= 6 && count(r, 'running') >= 2)(await rows()), 60_000, 'six files done and two running');
    // Watched from the CLI (not a terminal: one line per change) from before the kill until the batch ends.
    const cli = (...args: string[]) => runCli(['jobs', ...args], { cwd: home, env: { MCPS_API_KEY: key } });
    const watching = runCli(['jobs', '--url', platform.url, 'watch', batch['id'] as string, '--interval', '100'], { cwd: home, env: { MCPS_API_KEY: key } });
    await waitFor(async () => (await rows()).some((i) => i.status === 'done'), 10_000, 'a first item done');
    platform.child.kill('SIGKILL');
    await platform.exited;
    const atKill = await rows();
    const doneAtKill = atKill.filter((i) => i.status === 'done').length;
    expect(doneAtKill).toBeGreaterThanOrEqual(6);
    expect(doneAtKill).toBeLessThan(FILES);

    platform = await start();
    call = api(platform.url, token);
    // The watch saw the platform go away, said so once, and followed the batch again after the restart.
    const watch = await watching;
    expect(watch.stderr).toMatch(/^mcps: cannot reach the platform at .*; retrying for up to 120 s .*\nmcps: platform reachable again; following batch /);
    expect(watch.code).toBe(0);
    const lines = watch.stdout.trim().split('\n');
    expect(lines.at(-1)).toBe(`${FILES}/${FILES} (${FILES} done, 0 failed, 0 running) completed`);

    const after = await rows();
    expect(after.map((i) => [i.status, i.completions])).toEqual(Array(FILES).fill(['done', 1]));
    // Items finished before the kill were not run again.
    for (const i of atKill.filter((x) => x.status === 'done')) expect(after[i.seq]!.attempts).toBe(i.attempts);
    // Items cut off by the kill were claimed again once their lease expired: one more attempt, one completion.
    const cut = atKill.filter((i) => i.status === 'running');
    expect(cut.length, JSON.stringify(atKill.map((i) => i.status))).toBeGreaterThan(0);
    for (const i of cut) expect(after[i.seq]!.attempts).toBe(i.attempts + 1);
    const result = JSON.parse(after[0]!.result!) as { key: string; entries: number; status_classes: Record<string, number> };
    expect(result).toMatchObject({ key: 'nginx/2026/12/01/access-00.log', entries: 4000, status_classes: { '2xx': 3920, '5xx': 80 } });
    const data = path.join(home, 'data');
    const leftovers = ['partial', 'temp'].flatMap((d) => (existsSync(path.join(data, d)) ? readdirSync(path.join(data, d), { recursive: true }).map(String) : []));
    expect(leftovers.filter((f) => /\.(part|json|tmp)$/.test(f))).toEqual([]);
    expect(readdirSync(path.join(data, 'downloads', 'local', 'nginx', '2026', '12', '01'))).toHaveLength(FILES);

    // On a terminal (a pseudo-terminal from util-linux `script`), watch redraws one bar in place.
    const tty = spawnSync('script', ['-qec', [process.execPath, ...cliArgs(['jobs', 'watch', batch['id'] as string])].map((a) => `'${a}'`).join(' '), '/dev/null'], {
      cwd: home, env: { PATH: process.env['PATH'] ?? '', MCPS_API_KEY: key }, encoding: 'utf8', timeout: 60_000,
    });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toContain(`\r[${'#'.repeat(30)}] 100% ${FILES}/${FILES} (${FILES} done, 0 failed, 0 running) completed`);

    const ls = await cli('ls');
    expect(ls.code).toBe(0);
    expect(ls.stdout).toContain(`${batch['id']}\tdownload_analyze\tcompleted\t${FILES}/${FILES} done, 0 failed`);
    const show = await cli('show', batch['id'] as string, '--status', 'done', '--limit', '2');
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('#1\tdone\t{"key":"nginx/2026/12/01/access-01.log"}');
    expect(show.stdout).toContain(`${FILES - 2} more items: --offset 2`);

    // A second batch, cancelled from the CLI: watch then exits 2.
    const slow = await call('POST', '/jobs', { operation: 'download_analyze', params: { profile: 'local', prefix: 'nginx/' }, concurrency: 1 });
    const cancel = await cli('cancel', slow['id'] as string);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect(cancel.stdout).toMatch(/^cancelled batch .* cancelled\n$/);
    const watchCancelled = await cli('watch', slow['id'] as string);
    expect(watchCancelled.code).toBe(2);
    expect((await cli('cancel', slow['id'] as string)).stderr).toMatch(/^mcps: 409: batch .* is already cancelled\n$/);

    // Bad input: one clear line, exit 1.
    const missing = await cli('show', 'no-such-batch');
    expect([missing.code, missing.stderr]).toEqual([1, "mcps: 404: Batch 'no-such-batch' not found\n"]);
    const badLimit = await cli('ls', '--limit', 'many');
    expect([badLimit.code, badLimit.stderr]).toEqual([1, "mcps: --limit: expected a whole number 1-200, got 'many'\n"]);
    const noKey = await runCli(['jobs', 'ls'], { cwd: home });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/no API key: set MCPS_API_KEY/);
    platform.child.kill('SIGTERM');
    expect(await platform.exited).toBe(0);
  });
});
