import Fastify from 'fastify';

/** The baseline: a bare Fastify hello-world, no plugins, no logger. Prints its port. */
const app = Fastify();
app.get('/', async () => ({ hello: 'world' }));
const address = await app.listen({ host: '127.0.0.1', port: 0 });
app.server.on('connection', (s) => s.setNoDelay(true));
process.stdout.write(`READY ${new URL(address).port}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
