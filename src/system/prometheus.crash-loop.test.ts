import { readFileSync } from 'node:fs';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServersTestApp, fixtureBody, type ServersTestApp } from '../../test/helpers/servers-app.js';

/** The shipped McpServerRestarting rule (docs/MONITORING.md) against a real crash-looping child. */

let t: ServersTestApp;
beforeAll(async () => {
  t = await createServersTestApp();
});
afterAll(async () => t.closeAndCheck(), 60_000);

/** `increase(<metric>[15m]) > <threshold>` of the McpServerRestarting rule as documented. */
function shippedRule(): { metric: string; threshold: number } {
  const doc = readFileSync(new URL('../../docs/MONITORING.md', import.meta.url), 'utf8');
  const m = /alert: McpServerRestarting\s+expr: increase\((\w+)\[15m\]\) > (\d+)/.exec(doc);
  if (!m) throw new Error('McpServerRestarting rule not found in docs/MONITORING.md');
  return { metric: m[1]!, threshold: Number(m[2]) };
}

async function counter(metric: string, server: string): Promise<number> {
  const res = await t.app.inject({ url: '/metrics', headers: t.admin });
  expect(res.statusCode).toBe(200);
  const family = parsePrometheusTextFormat(res.body).find((f) => f.name === metric);
  const sample = family?.metrics.find((s) => 'labels' in s && s.labels?.['server'] === server);
  return sample && 'value' in sample ? Number(sample.value) : Number.NaN;
}

describe('McpServerRestarting', () => {
  it('fires for a server crash-looping under the default max_retries (3), and keeps counting when started again', async () => {
    const rule = shippedRule();
    // No max_retries and the default restart policy (on-failure): the platform defaults apply.
    const body = fixtureBody('looping', 'crashing', { env: { CRASH_AFTER_MS: '50' } });
    delete (body as Record<string, unknown>)['restart_policy'];
    expect((await t.call('POST', '/tools', body)).statusCode).toBe(201);
    expect((await t.call('GET', '/tools/looping')).json()).toMatchObject({ max_retries: 3, restart_policy: 'on-failure' });
    const before = await counter(rule.metric, 'looping');
    expect(before).toBe(0);

    await t.call('POST', '/tools/looping/start');
    await t.waitState('looping', 'fatal', 30_000);
    const afterLoop = await counter(rule.metric, 'looping');
    expect(afterLoop - before, `${rule.metric} rose by ${afterLoop - before}, the rule needs > ${rule.threshold}`).toBeGreaterThan(rule.threshold);

    // A person starts it again (one try this time): the counter goes on from where it was.
    expect((await t.call('PUT', '/tools/looping', { max_retries: 0 })).statusCode).toBe(200);
    await t.call('POST', '/tools/looping/start');
    await t.waitState('looping', 'fatal', 30_000);
    expect(await counter(rule.metric, 'looping')).toBeGreaterThan(afterLoop);
  }, 60_000);
});
