import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedSignalFetch } from './shared-signal-fetch.js';

/** What the SDK's HTTP transports do with their one signal, through the platform's remote fetch. */

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    res.end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('sharedSignalFetch', () => {
  it.each([
    ["Node's fetch", async () => fetch],
    ["undici's fetch (the outbound guard's)", async () => (await import('undici')).fetch as unknown as typeof fetch],
  ])('serves 1,600 requests on one signal without a MaxListenersExceededWarning: %s', async (_name, fetchOf) => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    try {
      const transport = new AbortController();
      const f = sharedSignalFetch(await fetchOf());
      // The responses are kept (as open streams would be), so no collection takes their listeners away.
      const kept: Response[] = [];
      for (let i = 0; i < 1600; i++) kept.push(await f(`${base}/ok`, { signal: transport.signal }));
      await new Promise((r) => setImmediate(r));
      expect(await kept[1599]!.text()).toBe('ok');
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('still aborts a request in flight when the shared signal aborts', async () => {
    const transport = new AbortController();
    const pending = sharedSignalFetch(fetch)(`${base}/hang`, { signal: transport.signal });
    setTimeout(() => transport.abort(new Error('transport closed')), 50);
    await expect(pending).rejects.toThrow('transport closed');
  });
});
