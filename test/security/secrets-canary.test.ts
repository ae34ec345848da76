import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildHandle } from '../../src/servers/process/child-process.js';
import { runEverything } from '../helpers/fixtures.js';
import { freePort } from '../helpers/free-port.js';
import { descendantsOf } from '../helpers/processes.js';
import { WELL_BEHAVED } from '../helpers/gateway-app.js';
import { createTestEndpoint, type TestEndpoint } from '../helpers/pipe-endpoint.js';
import { createSecurityApp, type SecurityApp } from './security-app.js';

/**
 * A unique value stored as a secret and used by reference everywhere a reference is allowed (a stdio
 * server's env and args, a remote server's URL and headers, a publication's endpoint token). After
 * calls, logs, a backup and an export, it must appear nowhere but in the audited reveal: not in the
 * data folder (backups decompressed), the log files, the database tables (protocol log included),
 * the API responses, or any child's argv.
 */

const CANARY = `canary-${randomBytes(8).toString('hex')}-must-not-leak`;
const REF = '${secret:CANARY}';
/** The value as it might be re-encoded on its way out. */
const FORMS = [CANARY, Buffer.from(CANARY).toString('base64'), Buffer.from(CANARY).toString('hex'), encodeURIComponent(CANARY).replace(/-/g, '%2D')];

let t: SecurityApp;
let everything: ChildHandle;
let endpoint: TestEndpoint;
const responses: { what: string; text: string }[] = [];
const argvs: { pid: number; cmdline: string; name: string }[] = [];

async function api(method: string, url: string, body?: unknown): Promise<{ status: number; json: () => any; body: string }> {
  const res = await t.send(method, `/api/v1${url}`, t.admin, body);
  responses.push({ what: `${method} ${url}`, text: `${res.status} ${JSON.stringify([...res.headers])} ${res.body}` });
  return { status: res.status, body: res.body, json: () => JSON.parse(res.body) };
}

function snapshotArgv(): void {
  for (const pid of descendantsOf(process.pid)) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      argvs.push({ pid, cmdline: argv.join(' '), name: argv.slice(0, 2).map((a) => path.basename(a)).join(' ') });
    } catch {
      // exited meanwhile
    }
  }
}

/** Every file under `dir`, with gzip content (backups) decompressed. */
function filesUnder(dir: string): { what: string; text: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => {
      const bytes = readFileSync(f);
      const gz = bytes[0] === 0x1f && bytes[1] === 0x8b;
      return { what: f, text: (gz ? gunzipSync(bytes) : bytes).toString('latin1') };
    });
}

async function tables(): Promise<{ what: string; text: string }[]> {
  const names =
    t.database.kind === 'sqlite'
      ? (await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(t.ctx.db)).rows.map((r) => r.name)
      : (await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = current_schema()`.execute(t.ctx.db)).rows.map((r) => r.name);
  const out: { what: string; text: string }[] = [];
  for (const name of names) {
    const rows = (await sql`select * from ${sql.table(name)}`.execute(t.ctx.db)).rows;
    out.push({ what: `table ${name}`, text: JSON.stringify(rows, (_k, v) => (Buffer.isBuffer(v) || v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v)) });
  }
  return out;
}

beforeAll(async () => {
  t = await createSecurityApp({ credentials: false });
  const port = await freePort();
  everything = await runEverything('streamableHttp', port);
  endpoint = await createTestEndpoint();
  expect((await api('POST', '/secrets', { name: 'CANARY', value: CANARY, description: 'canary' })).status).toBe(201);

  const servers: Record<string, unknown>[] = [
    { name: 'canary-env', command: process.execPath, args: [WELL_BEHAVED], env: { CANARY_TOKEN: REF, DATABASE_URL: `postgres://u:${REF}@127.0.0.1/db` } },
    { name: 'canary-remote', transport: 'streamable-http', url: `http://127.0.0.1:${port}/mcp?canary=${REF}`, headers: { Authorization: `Bearer ${REF}`, 'X-Canary': REF } },
    // Refused at the door (the connection fails): its error must not carry the resolved URL.
    { name: 'canary-dead', transport: 'streamable-http', url: `http://127.0.0.1:9/mcp?canary=${REF}`, headers: { 'X-Canary': REF } },
  ];
  for (const s of servers) expect((await api('POST', '/tools', { restart_policy: 'never', ...s })).status).toBe(201);
  // A reference in args would put the value in argv: refused at creation, or else it must not show in argv.
  await api('POST', '/tools', { name: 'canary-args', command: process.execPath, args: [WELL_BEHAVED, `--token=${REF}`], restart_policy: 'never' });
}, 120_000);
afterAll(async () => {
  await endpoint?.close();
  await everything?.stop().catch(() => {});
  await t?.closeAndCheck();
});

describe('secrets canary', () => {
  it('finds the value nowhere but in the audited reveal', async () => {
    for (const name of ['canary-env', 'canary-remote', 'canary-args']) await api('POST', `/tools/${name}/start`);
    expect(await api('POST', '/tools/canary-dead/start').then((r) => r.status)).toBeGreaterThanOrEqual(400);
    await api('POST', '/tools/canary-env/call', { tool: 'echo', arguments: { text: 'canary call' } });
    await api('POST', '/tools/canary-remote/call', { tool: 'echo', arguments: { message: 'canary call' } });
    await api('POST', '/tools/probe/publish', { endpoint: `ws://127.0.0.1:${endpoint.port}/mcp/?token=${REF}` });
    const conn = await endpoint.connection(1);
    await conn.initialize();
    await conn.request('tools/list');
    snapshotArgv();

    for (const name of ['canary-env', 'canary-remote', 'canary-dead', 'canary-args', 'probe']) {
      for (const part of ['', '/status', '/stderr', '/capabilities', '/publish']) await api('GET', `/tools/${name}${part}`);
    }
    for (const url of ['/tools', '/tools/export', '/publications', '/gateway/tools', '/gateway/sessions', '/secrets', '/secrets/CANARY', '/logs/system?limit=500', '/logs/operations?limit=500', '/logs/mcp?limit=500', '/system/status']) await api('GET', url);
    await t.ctx.servers.recorder.flush();
    await api('GET', '/logs/mcp?limit=500');
    const backup = (await api('POST', '/system/backups', { label: 'canary' })).json();
    const download = await t.app.inject({ method: 'GET', url: `/api/v1/system/backups/${backup.id}/download`, headers: t.admin });
    responses.push({ what: 'backup download (decompressed)', text: gunzipSync(download.rawPayload).toString('latin1') });

    // The one place the value may appear: a reveal, which is audited.
    const reveal = await t.send('POST', '/api/v1/secrets/CANARY/reveal', t.admin, { reason: 'canary check' });
    expect(JSON.parse(reveal.body).value).toBe(CANARY);
    const audit = (await api('GET', '/logs/operations?action=secret.reveal&limit=10')).json();
    expect(audit.items.length, 'the reveal is audited').toBeGreaterThan(0);
    await api('DELETE', '/tools/probe/publish');
    for (const name of ['canary-env', 'canary-remote', 'canary-args']) await api('POST', `/tools/${name}/stop`);
    await t.ctx.servers.recorder.flush();

    const places = [
      ...filesUnder(t.config.dataDir),
      ...(t.config.backupDir.startsWith(t.config.dataDir) ? [] : filesUnder(t.config.backupDir)),
      ...filesUnder(path.dirname(t.config.logFile)),
      ...(await tables()),
      ...responses,
      ...argvs.map((a) => ({ what: `argv of pid ${a.pid} (${a.name} ...)`, text: a.cmdline })),
    ];
    const leaks = places.filter((p) => FORMS.some((f) => p.text.includes(f))).map((p) => p.what);
    expect(places.length).toBeGreaterThan(20);
    for (const l of leaks) console.log(`  leak: ${l}`);
    console.log(`secrets canary: ${leaks.length} leaks in ${places.length} places scanned`);
    expect(leaks).toEqual([]);
  }, 180_000);
});
