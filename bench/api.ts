/**
 * Requests/s of GET /api/v1/users (authenticated, DB-backed) divided by requests/s of a bare Fastify
 * hello-world, measured side by side in one run: both servers run as child processes, autocannon
 * drives them from this process in alternating rounds (A B A B ...), loopback only, fixed duration.
 *
 *   npm run bench:api                      # SQLite (default)
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:api
 *   ROUNDS=5 SECONDS=5 CONNECTIONS=16 npm run bench:api
 */
import autocannon from 'autocannon';
import { startBenchServer } from './harness.js';

const ROUNDS = Number(process.env['ROUNDS'] ?? 3);
const SECONDS = Number(process.env['SECONDS'] ?? 4);
const CONNECTIONS = Number(process.env['CONNECTIONS'] ?? 10);

async function measure(url: string, headers: Record<string, string>): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const hello = await startBenchServer('hello-server.ts');
const app = await startBenchServer('app-server.ts');
const [appPort, token, apiKey] = app.fields as [string, string, string];
const helloUrl = `http://127.0.0.1:${hello.fields[0]}/`;
const usersUrl = `http://127.0.0.1:${appPort}/api/v1/users?limit=20`;

// Warm both up (JIT, connection pools) before counting.
await measure(helloUrl, {});
await measure(usersUrl, { authorization: `Bearer ${token}` });

const rows: { round: number; hello: number; jwt: number; key: number }[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const h = await measure(helloUrl, {});
  const j = await measure(usersUrl, { authorization: `Bearer ${token}` });
  const k = await measure(usersUrl, { 'x-api-key': apiKey });
  if (j.errors || k.errors) throw new Error(`errors during the run: jwt ${j.errors}, key ${k.errors}`);
  rows.push({ round, hello: h.rps, jwt: j.rps, key: k.rps });
  console.log(
    `round ${round}: hello ${h.rps.toFixed(0)} req/s | users+JWT ${j.rps.toFixed(0)} req/s (p50 ${j.p50} ms) | users+API key ${k.rps.toFixed(0)} req/s | ratio ${(j.rps / h.rps).toFixed(3)} / ${(k.rps / h.rps).toFixed(3)}`,
  );
}
hello.child.kill('SIGTERM');
app.child.kill('SIGTERM');

const jwtRatio = median(rows.map((r) => r.jwt / r.hello));
const keyRatio = median(rows.map((r) => r.key / r.hello));
console.log(`\ndatabase: ${process.env['DATABASE_URL']?.startsWith('postgres') ? 'postgresql' : 'sqlite'}, ${CONNECTIONS} connections, ${ROUNDS} rounds x ${SECONDS} s each`);
console.log(`median ratio GET /api/v1/users (JWT) / hello-world:     ${jwtRatio.toFixed(3)} (target >= 0.4)`);
console.log(`median ratio GET /api/v1/users (API key) / hello-world: ${keyRatio.toFixed(3)}`);
process.exit(0);
