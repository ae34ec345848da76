import { connect, type Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { trackConnections } from './connection-drain.js';

const sockets: Socket[] = [];
afterEach(() => sockets.splice(0).forEach((s) => s.destroy()));

/** A raw TCP connection that never sends a request (a preconnect, a TCP health check). */
function silentConnection(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', () => {});
    sockets.push(s);
  });
}

/** app.close() settled within `ms`, or 'hung'. */
function closeWithin(app: FastifyInstance, ms: number): Promise<'closed' | 'hung'> {
  return Promise.race([app.close().then(() => 'closed' as const), new Promise<'hung'>((r) => setTimeout(() => r('hung'), ms).unref())]);
}

async function appWith(drain: boolean, hook?: (port: number) => Promise<void>) {
  const app = Fastify();
  app.get('/slow', async () => {
    await new Promise((r) => setTimeout(r, 300));
    return { done: true };
  });
  let port = 0;
  if (hook) app.addHook('preClose', () => hook(port));
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as { port: number }).port;
  const connections = drain ? trackConnections(app.server, 200) : null;
  return { app, port, stop: () => (connections?.drain(), closeWithin(app, 3000)) };
}

describe('connection drain on stop', () => {
  it('a connection that never sent a request holds a plain close, and does not hold a drained one', async () => {
    const plain = await appWith(false);
    await silentConnection(plain.port);
    expect(await plain.stop()).toBe('hung');
    sockets.splice(0).forEach((s) => s.destroy());

    const drained = await appWith(true);
    const silent = await silentConnection(drained.port);
    const ended = new Promise((r) => silent.once('close', r));
    expect(await drained.stop()).toBe('closed');
    await ended;
  });

  it('a connection made while the preClose hooks run does not hold the stop', async () => {
    const { stop } = await appWith(true, async (port) => void (await silentConnection(port)));
    expect(await stop()).toBe('closed');
  });

  it('a request in flight when the stop begins still gets its whole answer', async () => {
    const { port, stop } = await appWith(true);
    const answer = fetch(`http://127.0.0.1:${port}/slow`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await new Promise((r) => setTimeout(r, 50));
    const closed = stop();
    expect(await answer).toEqual({ status: 200, body: { done: true } });
    expect(await closed).toBe('closed');
  });
});
