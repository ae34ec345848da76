import { connect } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { openSse } from '../../test/helpers/sse-client.js';
import { registerErrorHandler } from './error-handler.js';
import { createEventStreams, type EventStream, type EventStreamsOptions } from './event-streams.js';

let app: FastifyInstance | null = null;
afterEach(async () => {
  app?.server.closeAllConnections();
  await app?.close();
  app = null;
});

/** An app with one stream route, the streams closed on preClose as in src/app.ts. */
async function streamApp(opts: EventStreamsOptions) {
  const streams = createEventStreams(opts);
  const opened: EventStream[] = [];
  app = Fastify();
  registerErrorHandler(app);
  app.addHook('preClose', async () => streams.closeAll());
  app.get('/stream', async (_req, reply) => {
    opened.push(streams.start(reply));
    return reply;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return { streams, opened, url: `http://127.0.0.1:${address.port}/stream` };
}

describe('event streams', () => {
  it('sends events with ids and a heartbeat comment while idle', async () => {
    const { opened, url } = await streamApp({ heartbeatMs: 50 });
    const c = await openSse(url);
    expect(c.status).toBe(200);
    expect(c.contentType).toMatch(/^text\/event-stream/);
    opened[0]!.send(7, { hello: 'world' });
    const e = await c.next((x) => x.event === 'message');
    expect(e).toEqual({ id: '7', event: 'message', data: '{"hello":"world"}' });
    await c.next((x) => x.event === 'comment' && x.data === 'heartbeat', 2000);
    c.close();
  });

  it('refuses a stream past the limit with 503 and takes one again when a client leaves', async () => {
    const { streams, url } = await streamApp({ maxStreams: 1 });
    const first = await openSse(url);
    const second = await openSse(url);
    expect(second.status).toBe(503);
    first.close();
    await waitUntil(() => streams.size === 0);
    const third = await openSse(url);
    expect(third.status).toBe(200);
    third.close();
  });

  it('drops a client that does not read rather than buffering for it', async () => {
    const { streams, opened, url } = await streamApp({ maxBufferedBytes: 64 * 1024 });
    const c = await openSse(url);
    // The reader is never consumed past the socket buffers: stop reading by pausing nothing but sending a lot.
    const big = 'x'.repeat(16 * 1024);
    let sent = 0;
    while (opened[0]!.send(++sent, big) && sent < 10_000) {
      // keeps writing until the stream says it is too slow
    }
    expect(opened[0]!.closed).toBe(true);
    expect(sent).toBeLessThan(10_000);
    expect(streams.size).toBe(0);
    c.close();
  });

  it('closes the app promptly even when a client stopped reading with data still unsent', async () => {
    const { opened, url } = await streamApp({ maxBufferedBytes: 64 * 1024 * 1024 });
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.write(`GET /stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n`);
    socket.pause();
    await waitUntil(() => opened.length === 1);
    const chunk = 'y'.repeat(64 * 1024);
    for (let i = 0; i < 128; i++) opened[0]!.send(i, chunk);
    expect(opened[0]!.closed).toBe(false);
    const started = Date.now();
    await app!.close();
    app = null;
    expect(Date.now() - started).toBeLessThan(3000);
    socket.destroy();
  });

  it('ends open streams when the app closes, so close does not wait on them', async () => {
    const { url } = await streamApp({});
    const c = await openSse(url);
    const started = Date.now();
    await app!.close();
    app = null;
    await c.ended;
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

async function waitUntil(ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
