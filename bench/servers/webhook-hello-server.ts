import Fastify from 'fastify';

/** The baseline for bench/webhooks.ts: a bare Fastify route that parses the same JSON body and answers 200. */
const app = Fastify({ bodyLimit: 8 * 1024 * 1024 });
app.post('/', async (req) => ({ received: (req.body as { alerts?: unknown[] }).alerts?.length ?? 0 }));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
app.server.on('connection', (s) => s.setNoDelay(true));
process.stdout.write(`READY ${new URL(address).port}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
