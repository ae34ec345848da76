import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayTestApp, type GatewayTestApp } from '../../test/helpers/gateway-app.js';
import { waitFor } from '../../test/helpers/wait-for.js';

/**
 * A tools/call on `/mcp/{server}` (the fast path) that arrives while its upstream restarts after a
 * crash is answered within the server's `timeout_ms`: the wait for the start in progress counts
 * against the call's timeout (before, it waited for the start and then got the whole timeout again,
 * the soak's "calls past their timeout").
 */
const FIXTURE = fileURLToPath(new URL('../../test/fixtures/mcp/conformance-server.mjs', import.meta.url));
const START_DELAY_MS = 800;
// Also the start's handshake budget: 2 s failed the first start once on a loaded machine (load 12).
const TIMEOUT_MS = 4000;
/** A call this long fails when more than 500 ms of the start are left. */
const CALL_MS = TIMEOUT_MS - 500;

let t: GatewayTestApp;
let key: string;

beforeAll(async () => {
  t = await createGatewayTestApp();
  // The server takes START_DELAY_MS before it reads its stdin, every start (a slow `npx` start).
  const slowStart = `setTimeout(() => import(${JSON.stringify(FIXTURE)}), ${START_DELAY_MS})`;
  await t.addServer('slow', ['-e', slowStart], { timeout_ms: TIMEOUT_MS, restart_policy: 'always' });
  key = (await t.key('deadline')).key;
}, 60_000);

afterAll(async () => {
  await t?.closeAndCheck();
});

const status = async () => (await t.call('GET', '/tools/slow/status')).json() as { state: string; pid: number | null };

describe('a call during a restart', () => {
  it('is answered within timeout_ms, as a timeout, when the start and the call together take longer', async () => {
    const client = await t.connect(key, '/mcp/slow');
    const warm = await client.callTool({ name: 'test_wait', arguments: { tag: 'warm', ms: 1 } });
    expect(warm.content).toEqual([{ type: 'text', text: 'done' }]);

    const before = await status();
    process.kill(before.pid!, 'SIGKILL');
    await waitFor(async () => (await status()).state === 'starting', 10_000, 'a restart in progress');

    const started = performance.now();
    // What is left of the start plus the call is past the timeout.
    const outcome = await client.callTool({ name: 'test_wait', arguments: { tag: 'during-restart', ms: CALL_MS } }).then(
      (r) => ({ ok: true as const, r }),
      (err: unknown) => ({ ok: false as const, err }),
    );
    const took = performance.now() - started;

    expect(took).toBeLessThan(TIMEOUT_MS + 300);
    expect(outcome.ok).toBe(false);
    expect(String((outcome as { err: unknown }).err)).toMatch(/in time/);

    // The restarted server serves the next call.
    await waitFor(async () => (await status()).state === 'running', 10_000, 'the restart');
    const after = await client.callTool({ name: 'test_wait', arguments: { tag: 'after', ms: 1 } });
    expect(after.content).toEqual([{ type: 'text', text: 'done' }]);
  }, 30_000);
});
