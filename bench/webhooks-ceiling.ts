/**
 * The ceiling of bench/webhooks.ts: the same Alertmanager bodies stored with no HTTP in between, one
 * after the other in a loop, on a fresh database (SQLite in a temp dir, or a scratch PostgreSQL
 * database when DATABASE_URL names a server). Prints ms per body for each stage, so the webhook's
 * posts/s can be read against what parsing and storing alone allow:
 *
 *   - JSON.parse of the body (what the bare Fastify route does besides HTTP);
 *   - the receiver's work without HTTP: parse, validate, normalize, store (`webhooks.ingest`), one
 *     body per transaction;
 *   - the same with BATCH bodies sharing one transaction (group commit, `webhooks.ingestMany`).
 *
 *   npx tsx bench/webhooks-ceiling.ts
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/webhooks-ceiling.ts
 *   BODIES=2000 BATCH=10 npx tsx bench/webhooks-ceiling.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWebhooksService } from '../src/alerts/webhooks.service.js';
import type { AlertReceiverRow } from '../src/alerts/alerts.table.js';
import { connect } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { scratchDatabase } from './harness.js';
import { bodyOf, generator } from './webhook-bodies.js';

const BODIES = Number(process.env['BODIES'] ?? 2000);
const BATCH = Number(process.env['BATCH'] ?? 10);

const scratch = await scratchDatabase('mcps_bench_ceiling');
const dir = mkdtempSync(path.join(tmpdir(), 'mcps-bench-ceiling-'));
const handle = connect(scratch.url ?? `sqlite:///${path.join(dir, 'mcps.db')}`);
await migrateToLatest(handle.db);
const receiver: AlertReceiverRow = {
  id: 'bench-receiver', name: 'bench-am', kind: 'alertmanager', token_ref: null, hmac_ref: null, signature_header: 'x-signature', timestamp_header: null,
  tolerance_seconds: 300, mapping: null, enabled: 1, description: null, created_at: '', updated_at: '',
};
const webhooks = createWebhooksService({ db: handle.db, candidates: async () => [receiver], secretsOf: async () => ({ token: null, hmacKey: null }), now: () => new Date() });

/** Each stage gets its own bodies from one generator (repeats of recently sent alerts, as the bench). */
const gen = generator(20);
const bodies = (n: number) => Array.from({ length: n }, () => bodyOf(gen.pick()));

async function timed(label: string, texts: string[], run: (texts: string[]) => Promise<void>): Promise<void> {
  const t0 = performance.now();
  await run(texts);
  const ms = (performance.now() - t0) / texts.length;
  console.log(`${label.padEnd(62)} ${ms.toFixed(3)} ms per body (${(1000 / ms).toFixed(0)} bodies/s, ${(50_000 / ms).toFixed(0)} alerts/s)`);
}

// Warm-up (JIT, statement cache), and a table that is not empty.
for (const t of bodies(500)) await webhooks.ingest(receiver, JSON.parse(t));

await timed('JSON.parse only', bodies(BODIES), async (texts) => {
  for (const t of texts) JSON.parse(t);
});
await timed('parse + validate + store, one body per transaction', bodies(BODIES), async (texts) => {
  for (const t of texts) await webhooks.ingest(receiver, JSON.parse(t));
});
await timed(`parse + validate + store, ${BATCH} bodies per transaction`, bodies(BODIES), async (texts) => {
  for (let i = 0; i < texts.length; i += BATCH) await Promise.all(texts.slice(i, i + BATCH).map((t) => webhooks.ingest(receiver, JSON.parse(t))));
});

await handle.close();
await scratch.drop();
rmSync(dir, { recursive: true, force: true });
console.log(`\ndatabase: ${scratch.url ? 'postgresql (scratch database, dropped)' : 'sqlite'}; ${BODIES} bodies per stage of 50 alerts (20 new, 30 repeats)`);
