/**
 * The floor under bench/webhooks-ceiling.ts: raw better-sqlite3 (no Kysely, no validation, no HTTP) on
 * the migrated schema, writing the bench's rows: NEW new alerts per body (one prepared upsert per row),
 * and with or without the other 50 - NEW repeats as row updates (what a repeat cost before repeats were
 * answered from memory), BATCH bodies per transaction. CKPT sets wal_autocheckpoint (0: never, to see
 * what the checkpoints inside commits cost).
 *
 *   npx tsx bench/webhooks-sqlite-floor.ts
 *   BATCH=10 NEW=20 CKPT=0 npx tsx bench/webhooks-sqlite-floor.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { connect } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { alertOf } from './webhook-bodies.js';
import { newId } from '../src/lib/ids.js';

const dir = mkdtempSync(path.join(tmpdir(), 'perf15-floor-'));
const file = path.join(dir, 'x.db');
const h = connect(`sqlite:///${file}`);
await migrateToLatest(h.db);
await h.close();
const db = new Database(file);
db.pragma('journal_mode = WAL'); db.pragma('synchronous = NORMAL');
if (process.env.CKPT) db.pragma(`wal_autocheckpoint = ${process.env.CKPT}`);
const cols = ['id','fingerprint','starts_at','status','ends_at','labels','annotations','generator_url','receiver_id','source','extra','received_count','first_received_at','last_received_at','acked_at','acked_by','resolved_by'];
const ins = db.prepare(`insert into alerts (${cols.join(',')}) values (${cols.map(() => '?').join(',')}) on conflict (fingerprint, starts_at) do update set received_count = received_count + 1, last_received_at = excluded.last_received_at`);
const upd = db.prepare(`update alerts set received_count = received_count + 1, last_received_at = ? where fingerprint = ? and starts_at = ?`);
const row = (i: number, now: string) => { const a = alertOf(i); return [newId(), a.fingerprint, new Date(a.startsAt).toISOString(), 'firing', null, JSON.stringify(a.labels), JSON.stringify(a.annotations), a.generatorURL, 'r', 'alertmanager', null, 1, now, now, null, null, null]; };
let next = 0;
const BATCH = Number(process.env.BATCH ?? 10), NEW = Number(process.env.NEW ?? 20), REP = 50 - NEW;
function body(repeats: boolean) {
  const now = new Date().toISOString();
  for (let k = 0; k < NEW; k++) ins.run(row(next++, now));
  if (repeats) for (let k = 0; k < REP; k++) { const i = next - 1 - Math.floor(Math.random() * Math.min(2000, next)); const a = alertOf(i); upd.run(now, a.fingerprint, new Date(a.startsAt).toISOString()); }
}
const tx = db.transaction((repeats: boolean) => { for (let b = 0; b < BATCH; b++) body(repeats); });
for (let i = 0; i < 300; i++) tx(true);
for (const mode of [false, true, false, true]) {
  const t0 = performance.now(); const N = 200;
  for (let i = 0; i < N; i++) tx(mode);
  const ms = (performance.now() - t0) / (N * BATCH);
  console.log(`${mode ? `${NEW} new + ${REP} repeat updates` : `${NEW} new only`}: ${ms.toFixed(3)} ms per body, rows ${next}`);
}
db.close(); rmSync(dir, { recursive: true, force: true });
