/**
 * Requests/s of GET /api/v1/users (authenticated, DB-backed) divided by requests/s of
 * - the fair baseline (SQLite only): a minimal Fastify + better-sqlite3 app doing the same listing
 *   (same rows from the same file, the same JSON, a bearer token verified on every request;
 *   bench/servers/listing-baseline.ts); target >= 0.7;
 * - a bare Fastify hello-world (60 bytes, no work), kept as information;
 * measured side by side in one run: every server is a child process, autocannon drives them from
 * this process in alternating rounds, loopback only, fixed duration.
 *
 *   npm run bench:api                      # SQLite (default)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:api
 *   ROUNDS=5 SECONDS=5 CONNECTIONS=16 npm run bench:api
 *   npx tsc -p tsconfig.build.json && BENCH_DIST=1 npm run bench:api   # the compiled platform, as `npm start` runs it
 */
import autocannon from 'autocannon';
import { startBenchServer, treeCpuMs } from './harness.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const SECONDS = Number(process.env['SECONDS'] ?? 4);
const CONNECTIONS = Number(process.env['CONNECTIONS'] ?? 10);

/** autocannon against `url`; `cpuUs`: the serving process's CPU time per request (µs), steadier than req/s on a busy machine. */
async function measure(url: string, headers: Record<string, string>, pid?: number): Promise<{ rps: number; p50: number; p99: number; errors: number; cpuUs: number }> {
  const cpuBefore = pid ? treeCpuMs(pid) : 0;
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  const cpuUs = pid && r.requests.total > 0 ? ((treeCpuMs(pid) - cpuBefore) * 1000) / r.requests.total : 0;
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx, cpuUs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const hello = await startBenchServer('hello-server.ts');
const app = await startBenchServer('app-server.ts');
const [appPort, token, apiKey, sqliteFile] = app.fields as [string, string, string, string];
// The fair baseline lists from the platform's own SQLite file (read-only); on PostgreSQL there is none.
process.env['LISTING_DB'] = sqliteFile;
const base = sqliteFile === '-' ? null : await startBenchServer('listing-baseline.ts');
const helloUrl = `http://127.0.0.1:${hello.fields[0]}/`;
const usersUrl = `http://127.0.0.1:${appPort}/api/v1/users?limit=20`;

const baseUrl = base ? `http://127.0.0.1:${base.fields[0]}/api/v1/users?limit=20` : null;
const baseHeaders: Record<string, string> = base ? { authorization: `Bearer ${base.fields[1]}` } : {};

if (baseUrl) {
  // Same work, checked: the baseline's body is the platform's, byte for byte.
  const ours = await (await fetch(usersUrl, { headers: { authorization: `Bearer ${token}` } })).text();
  const theirs = await (await fetch(baseUrl, { headers: baseHeaders })).text();
  if (ours !== theirs) throw new Error(`the baseline's JSON differs from the platform's:\n${ours.slice(0, 300)}\n${theirs.slice(0, 300)}`);
  if ((await fetch(baseUrl)).status !== 401) throw new Error('the baseline answers without a token');
}

// Warm every server up (JIT, connection pools) before counting.
await measure(helloUrl, {});
await measure(usersUrl, { authorization: `Bearer ${token}` });
if (baseUrl) await measure(baseUrl, baseHeaders);

const rows: { round: number; hello: number; base: number | null; jwt: number; key: number; baseCpu: number | null; jwtCpu: number; keyCpu: number }[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const h = await measure(helloUrl, {});
  const b = baseUrl ? await measure(baseUrl, baseHeaders, base!.child.pid) : null;
  const j = await measure(usersUrl, { authorization: `Bearer ${token}` }, app.child.pid);
  const k = await measure(usersUrl, { 'x-api-key': apiKey }, app.child.pid);
  if (j.errors || k.errors || b?.errors) throw new Error(`errors during the run: jwt ${j.errors}, key ${k.errors}, baseline ${b?.errors}`);
  rows.push({ round, hello: h.rps, base: b?.rps ?? null, jwt: j.rps, key: k.rps, baseCpu: b?.cpuUs ?? null, jwtCpu: j.cpuUs, keyCpu: k.cpuUs });
  console.log(
    `round ${round}: hello ${h.rps.toFixed(0)} req/s | baseline listing ${b ? b.rps.toFixed(0) : '-'} req/s | users+JWT ${j.rps.toFixed(0)} req/s (p50 ${j.p50} ms) | users+API key ${k.rps.toFixed(0)} req/s | vs baseline ${b ? (j.rps / b.rps).toFixed(3) : '-'} | vs hello ${(j.rps / h.rps).toFixed(3)} / ${(k.rps / h.rps).toFixed(3)}`,
  );
  console.log(`         CPU per request: baseline ${b ? b.cpuUs.toFixed(0) : '-'} µs | users+JWT ${j.cpuUs.toFixed(0)} µs | users+API key ${k.cpuUs.toFixed(0)} µs`);
}
hello.child.kill('SIGTERM');
app.child.kill('SIGTERM');
base?.child.kill('SIGTERM');

const jwtRatio = median(rows.map((r) => r.jwt / r.hello));
const keyRatio = median(rows.map((r) => r.key / r.hello));
console.log(`\nplatform: ${process.env['BENCH_DIST'] === '1' ? 'dist/ (as npm start runs it)' : 'src/ under tsx'}, database: ${process.env['DATABASE_URL']?.startsWith('postgres') ? 'postgresql' : 'sqlite'}, ${CONNECTIONS} connections, ${ROUNDS} rounds x ${SECONDS} s each`);
if (baseUrl) {
  const fair = median(rows.map((r) => r.jwt / r.base!));
  const fairKey = median(rows.map((r) => r.key / r.base!));
  console.log(`median ratio GET /api/v1/users (JWT) / Fastify+better-sqlite3 listing:     ${fair.toFixed(3)} (target >= 0.7: ${fair >= 0.7 ? 'met' : 'not met'})`);
  console.log(`median ratio GET /api/v1/users (API key) / Fastify+better-sqlite3 listing: ${fairKey.toFixed(3)}`);
  // CPU per request is what a busy machine distorts least: baseline's CPU / ours is the same ratio, steadier.
  const cpuJwt = median(rows.map((r) => r.baseCpu! / r.jwtCpu));
  const cpuKey = median(rows.map((r) => r.baseCpu! / r.keyCpu));
  console.log(`median CPU per request: baseline ${median(rows.map((r) => r.baseCpu!)).toFixed(0)} µs, JWT ${median(rows.map((r) => r.jwtCpu)).toFixed(0)} µs, API key ${median(rows.map((r) => r.keyCpu)).toFixed(0)} µs`);
  console.log(`median CPU ratio baseline / ours (same sense as the req/s ratio): JWT ${cpuJwt.toFixed(3)}, API key ${cpuKey.toFixed(3)}`);
} else console.log('fair baseline: SQLite only (it reads the platform\'s SQLite file); not run on PostgreSQL');
console.log(`median ratio GET /api/v1/users (JWT) / hello-world:     ${jwtRatio.toFixed(3)} (information)`);
console.log(`median ratio GET /api/v1/users (API key) / hello-world: ${keyRatio.toFixed(3)}`);
process.exit(0);
