import Fastify from 'fastify';

/** The baseline for bench/webhooks.ts: a bare Fastify route that parses the same JSON body and answers 200. */
const app = Fastify({ bodyLimit: 8 * 1024 * 1024 });
app.post('/', async (req) => ({ received: (req.body as { alerts?: unknown[] }).alerts?.length ?? 0 }));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
app.server.on('connection', (s) => s.setNoDelay(true));
// CPU time (user + system) from here to the stop: the bench divides it by the posts served.
const cpuAtReady = process.cpuUsage();
process.stdout.write(`READY ${new URL(address).port}\n`);
process.on('SIGTERM', () => {
  const cpu = process.cpuUsage(cpuAtReady);
  process.stdout.write(`CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)}\n`);
  void app.close().then(() => process.exit(0));
});
