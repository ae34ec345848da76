import { InMemoryTransport, SdkError, SdkErrorCode, type JSONRPCMessage } from '@modelcontextprotocol/client';
import { afterEach, describe, expect, it } from 'vitest';
import { ForwardingLane, type ForwardSink } from './forwarding-lane.js';

/** The lane over one end of an in-memory pair; the test plays the server on the other end. */
async function setup() {
  const [near, far] = InMemoryTransport.createLinkedPair();
  const lane = new ForwardingLane(near);
  const passed: JSONRPCMessage[] = [];
  const atServer: JSONRPCMessage[] = [];
  lane.onmessage = (m) => void passed.push(m);
  far.onmessage = (m) => void atServer.push(m);
  await lane.start();
  await far.start();
  const got: { related: JSONRPCMessage[]; done: JSONRPCMessage[]; failed: SdkError[] } = { related: [], done: [], failed: [] };
  const sink: ForwardSink = { related: (m) => void got.related.push(m), done: (m) => void got.done.push(m), failed: (e) => void got.failed.push(e) };
  return { lane, far, passed, atServer, got, sink };
}

let cleanup: (() => Promise<void>) | null = null;
afterEach(async () => {
  await cleanup?.();
  cleanup = null;
});

describe('ForwardingLane', () => {
  it('sends under its own id and progress token and hands back progress, then the response, with the caller\'s id and token', async () => {
    const s = await setup();
    cleanup = () => s.lane.close();
    await s.lane.forward({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo', _meta: { progressToken: 'client-token' } } }, s.sink, 60_000);
    const sent = s.atServer[0] as { id: string; params: { _meta: { progressToken: string } } };
    expect(sent.id).toMatch(/^mcps-fwd-\d+$/);
    expect(sent.params._meta.progressToken).toBe(sent.id);
    await s.far.send({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: sent.id, progress: 1 } });
    await s.far.send({ jsonrpc: '2.0', id: sent.id, result: { content: [] } });
    expect(s.got.related).toEqual([{ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'client-token', progress: 1 } }]);
    expect(s.got.done).toEqual([{ jsonrpc: '2.0', id: 7, result: { content: [] } }]);
    expect(s.passed).toEqual([]);
    expect(s.lane.inFlight).toBe(0);
  });

  it('passes everything else (the SDK client\'s own responses, other progress, requests) through untouched', async () => {
    const s = await setup();
    cleanup = () => s.lane.close();
    const others: JSONRPCMessage[] = [
      { jsonrpc: '2.0', id: 1, result: {} },
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } },
      { jsonrpc: '2.0', id: 'x', method: 'sampling/createMessage', params: {} },
    ];
    for (const m of others) await s.far.send(m);
    expect(s.passed).toEqual(others);
  });

  it('a response for a request it never sent (or gave up) reaches nobody', async () => {
    const s = await setup();
    cleanup = () => s.lane.close();
    await s.far.send({ jsonrpc: '2.0', id: 'mcps-fwd-999999', result: {} });
    expect(s.passed).toEqual([]);
    expect(s.got.done).toEqual([]);
  });

  it('a timeout tells the server (notifications/cancelled) and fails the sink; cancel does the same without failing', async () => {
    const s = await setup();
    cleanup = () => s.lane.close();
    await s.lane.forward({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'slow' } }, s.sink, 50);
    await new Promise((r) => setTimeout(r, 150));
    expect(s.got.failed.map((e) => e.code)).toEqual([SdkErrorCode.RequestTimeout]);
    const first = (s.atServer[0] as { id: string }).id;
    expect(s.atServer[1]).toMatchObject({ method: 'notifications/cancelled', params: { requestId: first } });

    const handle = await s.lane.forward({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'slow' } }, s.sink, 60_000);
    handle.cancel('the client gave up');
    await new Promise((r) => setTimeout(r, 10));
    const second = (s.atServer[2] as { id: string }).id;
    expect(s.atServer[3]).toEqual({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: second, reason: 'the client gave up' } });
    await s.far.send({ jsonrpc: '2.0', id: second, result: {} });
    expect(s.got.done).toEqual([]);
    expect(s.got.failed).toHaveLength(1);
  });

  it('a closed connection fails every request in flight', async () => {
    const s = await setup();
    await s.lane.forward({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'a' } }, s.sink, 60_000);
    await s.lane.forward({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'b' } }, s.sink, 60_000);
    await s.far.close();
    expect(s.got.failed.map((e) => e.code)).toEqual([SdkErrorCode.ConnectionClosed, SdkErrorCode.ConnectionClosed]);
    expect(s.lane.inFlight).toBe(0);
  });
});
