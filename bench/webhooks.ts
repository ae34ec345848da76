/**
 * Accepted Alertmanager webhook posts/s on the platform's real receiver (POST /api/v1/webhooks/alertmanager,
 * bearer token, alerts persisted and deduplicated before the 200) divided by posts/s of a bare Fastify
 * route that parses the same bodies and answers 200. Both servers are child processes; autocannon drives
 * them from this process in alternating rounds, loopback only, fixed duration. Each post carries 50
 * alerts: NEW_PER_POST never sent before, the rest repeats of recently sent ones (dedupe is exercised).
 * At the end the stored alerts are counted in the database and must equal the distinct alerts sent.
 *
 *   npm run bench:webhooks                                              # SQLite (default)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:webhooks   # scratch database, dropped after
 *   ROUNDS=3 SECONDS=5 CONNECTIONS=10 NEW_PER_POST=20 npm run bench:webhooks
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { connect } from '../src/db/connect.js';
import { scratchDatabase, startBenchServer } from './harness.js';
import { bodyOf, generator, PER_POST } from './webhook-bodies.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const SECONDS = Number(process.env['SECONDS'] ?? 5);
const CONNECTIONS = Number(process.env['CONNECTIONS'] ?? 10);
const NEW_PER_POST = Number(process.env['NEW_PER_POST'] ?? 20);

interface Sent { ids: number[] }

const gen = generator(NEW_PER_POST);
/** Every distinct alert sent to the platform, and those of posts it answered 200. */
const sentIds = new Set<number>();
const ackedIds = new Set<number>();
let ackedPosts = 0;
/** Non-200 answers seen, by status and start of body. */
const failures = new Map<string, number>();

/** Posts each server answered over the whole run (warm-up included), to divide its CPU time by. */
const served = { hello: 0, hook: 0 };

async function measure(url: string, headers: Record<string, string>, track: boolean) {
  const r = await autocannon({
    url, connections: CONNECTIONS, duration: SECONDS,
    requests: [{
      method: 'POST', headers: { 'content-type': 'application/json', ...headers },
      setupRequest: (req, context) => {
        const ids = gen.pick();
        if (track) for (const id of ids) sentIds.add(id);
        (context as Sent).ids = ids;
        return { ...req, body: bodyOf(ids) };
      },
      onResponse: (status, body, context) => {
        if (status !== 200) failures.set(`${status} ${(JSON.parse(body) as { detail?: string }).detail ?? ''}`, (failures.get(`${status} ${(JSON.parse(body) as { detail?: string }).detail ?? ''}`) ?? 0) + 1);
        if (!track || status !== 200) return;
        ackedPosts++;
        for (const id of (context as Sent).ids) ackedIds.add(id);
      },
    }],
  });
  served[track ? 'hook' : 'hello'] += r.requests.total;
  return { posts: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx, timeouts: r.timeouts };
}

/** What the platform logged as errors (what a 500 was), by message and SQLSTATE. */
function serverErrors(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const logs = path.join(dir, 'logs');
  for (const f of readdirSync(logs)) {
    for (const line of readFileSync(path.join(logs, f), 'utf8').split('\n')) {
      if (!line.includes('"level":"error"')) continue;
      const err = (JSON.parse(line) as { err?: { message?: string; code?: string } }).err;
      const key = `${err?.message ?? 'error'}${err?.code ? ` (${err.code})` : ''}`;
      out.set(key, (out.get(key) ?? 0) + 1);
    }
  }
  return out;
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux; NaN elsewhere). */
function cpuOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const scratch = await scratchDatabase('mcps_bench_webhooks');
if (scratch.url) process.env['DATABASE_URL'] = scratch.url;

const started: { kill(sig: NodeJS.Signals): boolean }[] = [];
// A failure part-way still stops the servers and drops the scratch database.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (err) => {
    console.error(err);
    for (const c of started) c.kill('SIGKILL');
    void scratch.drop().finally(() => process.exit(1));
  });
}
const hello = await startBenchServer('webhook-hello-server.ts');
started.push(hello.child);
const app = await startBenchServer('webhook-app-server.ts');
started.push(app.child);
const [appPort, token, databaseUrl, appDir] = app.fields as [string, string, string, string];
const helloUrl = `http://127.0.0.1:${hello.fields[0]}/`;
const hookUrl = `http://127.0.0.1:${appPort}/api/v1/webhooks/alertmanager?receiver=bench-am`;
const auth = { authorization: `Bearer ${token}` };

// Warm both up (JIT, connection pools) before counting; the platform's warm-up posts count as sent.
await measure(helloUrl, {}, false);
await measure(hookUrl, auth, true);

const rows: { hello: number; hook: number }[] = [];
/** The platform's CPU time and posts answered during the measured webhook rounds only (not while the bare route runs). */
const during = { cpuMs: 0, posts: 0 };
let errors = 0;
for (let round = 1; round <= ROUNDS; round++) {
  const h = await measure(helloUrl, {}, false);
  const cpuBefore = cpuOf(app.child.pid);
  const postsBefore = served.hook;
  const w = await measure(hookUrl, auth, true);
  during.cpuMs += cpuOf(app.child.pid) - cpuBefore;
  during.posts += served.hook - postsBefore;
  errors += h.errors + w.errors;
  if (h.errors || w.errors) console.log(`round ${round}: errors (socket errors, timeouts, non-2xx): bare ${h.errors}, webhook ${w.errors} (${w.timeouts} timeouts after 10 s)`);
  rows.push({ hello: h.posts, hook: w.posts });
  console.log(
    `round ${round}: bare Fastify ${h.posts.toFixed(0)} posts/s (${(h.posts * PER_POST).toFixed(0)} alerts/s, p50 ${h.p50} ms, p99 ${h.p99} ms)`
      + ` | webhook ${w.posts.toFixed(0)} posts/s (${(w.posts * PER_POST).toFixed(0)} alerts/s, p50 ${w.p50} ms, p99 ${w.p99} ms) | ratio ${(w.posts / h.posts).toFixed(3)}`,
  );
}

// Posts in flight when a round stopped may not have been answered: send their alerts again, as
// Alertmanager retries an unanswered post. Then every alert sent must be stored exactly once.
const unacked = [...sentIds].filter((id) => !ackedIds.has(id));
for (let k = 0; k < unacked.length; k += PER_POST) {
  const r = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: bodyOf(unacked.slice(k, k + PER_POST)) });
  if (r.status !== 200) throw new Error(`retry post: ${r.status} ${await r.text()}`);
}
served.hook += Math.ceil(unacked.length / PER_POST);
let helloLine = '';
hello.child.stdout!.on('data', (d: Buffer) => {
  helloLine += d.toString();
});
hello.child.kill('SIGTERM');
await new Promise((r) => hello.child.once('exit', r));
let lagLine = '';
app.child.stdout!.on('data', (d: Buffer) => {
  lagLine += d.toString();
});
app.child.kill('SIGTERM');
await new Promise((r) => app.child.once('exit', r));
const lag = /LAG (.*)/.exec(lagLine)?.[1];
const cpuMs = { hello: Number(/CPU (\d+)/.exec(helloLine)?.[1]), hook: Number(/CPU (\d+)/.exec(lagLine)?.[1]) };

const handle = connect(databaseUrl);
const count = await handle.db.selectFrom('alerts').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>('received_count').as('received')]).executeTakeFirstOrThrow();
const distinctKeys = await handle.db.selectFrom('alerts').select(['fingerprint', 'starts_at']).distinct().execute();
await handle.close();
await scratch.drop();

const stored = Number(count.n);
console.log(`\ndatabase: ${scratch.url ? 'postgresql (scratch database, dropped)' : 'sqlite'}, ${CONNECTIONS} connections, ${ROUNDS} rounds x ${SECONDS} s each, ${PER_POST} alerts per post (${NEW_PER_POST} new, ${PER_POST - NEW_PER_POST} repeats)`);
console.log(`median bare Fastify: ${median(rows.map((r) => r.hello)).toFixed(0)} posts/s; median webhook: ${median(rows.map((r) => r.hook)).toFixed(0)} posts/s (${(median(rows.map((r) => r.hook)) * PER_POST).toFixed(0)} alerts/s)`);
console.log(`median ratio webhook / bare Fastify: ${median(rows.map((r) => r.hook / r.hello)).toFixed(3)} (target >= 0.4; p99 target < 50 ms)`);
console.log(`alerts: ${sentIds.size} distinct sent, ${ackedIds.size} in ${ackedPosts} posts answered 200 during the load, ${unacked.length} re-sent after it; stored ${stored} rows (${distinctKeys.length} distinct fingerprint+startsAt, ${Number(count.received)} deliveries counted)`);
// CPU time per post served (user + system, warm-up and re-sends included, the platform's routing too):
// unlike posts/s, it hardly depends on what else the machine runs.
const perPost = { hello: cpuMs.hello / served.hello, hook: cpuMs.hook / served.hook };
console.log(`CPU per post: bare Fastify ${perPost.hello.toFixed(3)} ms (${served.hello} posts), webhook ${perPost.hook.toFixed(3)} ms (${served.hook} posts); ratio of CPU per post ${(perPost.hello / perPost.hook).toFixed(3)}`);
// The same for the measured webhook rounds alone (/proc, 10 ms ticks): no idle-time timers spread over the posts.
console.log(`platform CPU per post during the webhook rounds: ${(during.cpuMs / during.posts).toFixed(3)} ms (${during.cpuMs.toFixed(0)} ms CPU, ${during.posts} posts)`);
if (lag) console.log(`platform event-loop delay over the run (monitorEventLoopDelay, 10 ms resolution): ${lag}`);
for (const [what, n] of failures) console.log(`non-200 answer x${n}: ${what}`);
for (const [e, n] of serverErrors(appDir)) console.log(`server error log x${n}: ${e}`);
rmSync(appDir, { recursive: true, force: true });
const ok = stored === sentIds.size && distinctKeys.length === stored;
console.log(ok ? 'check: stored alerts = distinct alerts sent (nothing lost, no duplicates)' : 'check FAILED: stored alerts differ from the distinct alerts sent');
if (errors) console.log(`${errors} failed posts during the load (their alerts were re-sent above)`);
process.exit(ok ? 0 : 1);
