import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AlertReceiverRow } from './alerts.table.js';
import { fingerprintOf } from './fingerprint.js';
import { readPath } from './generic-mapping.js';
import { createInhibitor } from './inhibition.js';
import { compileMatchers, parseMatcher } from './label-matchers.js';
import { compileRouteTree } from './route-tree.js';
import { verifyWebhook } from './webhook-auth.js';

describe('fingerprint (prometheus/common labelSetToFingerprint)', () => {
  it('is FNV-1a 64 of the sorted labels with 0xff separators', () => {
    // The empty set is the FNV-1a offset basis; the second is what Alertmanager 0.25 reported for these
    // labels (its log: DiskFull[b4d6630]; alertmanager.test.ts compares with the live process's API too).
    expect(fingerprintOf({})).toBe('cbf29ce484222325');
    expect(fingerprintOf({ alertname: 'DiskFull', instance: 'db1:9100', severity: 'page' })).toBe('b4d6630a68cc0c1c');
    expect(fingerprintOf({ alertname: 'DiskFull', instance: 'db1:9100', severity: 'page' })).toBe(fingerprintOf({ severity: 'page', instance: 'db1:9100', alertname: 'DiskFull' }));
    expect(fingerprintOf({ a: 'bc' })).not.toBe(fingerprintOf({ ab: 'c' }));
    expect(fingerprintOf({ alertname: 'x' })).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('label matchers (Alertmanager semantics)', () => {
  const labels = { alertname: 'HighLatency', job: 'api-gateway', severity: 'critical' };
  it.each([
    ['job="api-gateway"', true], ['job!="api-gateway"', false], ['job=~"api.*"', true], ['job=~"api"', false],
    ['job!~"web.*"', true], ['team=""', true], ['team!=""', false], ['severity=~"critical|page"', true], ['job=~"gateway"', false],
  ])('%s -> %s (regexes anchored at both ends; a missing label is "")', (text, expected) => {
    expect(compileMatchers([parseMatcher(text)])(labels)).toBe(expected);
  });

  it('refuses an invalid regex clearly, and runs a pathological one in linear time', () => {
    expect(() => compileMatchers([parseMatcher('job=~"(unclosed"')])).toThrow(/invalid regex/);
    const started = Date.now();
    expect(compileMatchers([{ name: 'x', op: '=~', value: '(a+)+$' }])({ x: 'a'.repeat(50_000) + 'b' })).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('inhibition (source_matchers, target_matchers, equal)', () => {
  const rule = { name: 'crit-mutes-warn', source_matchers: [parseMatcher('severity="critical"')], target_matchers: [parseMatcher('severity="warning"')], equal: ['cluster'] };
  const crit = { fingerprint: 'c', labels: { alertname: 'Down', severity: 'critical', cluster: 'eu' } };
  it('mutes targets sharing the equal labels with a firing source, not others', () => {
    const inhibited = createInhibitor([rule], [crit]);
    expect(inhibited({ fingerprint: 'w1', labels: { severity: 'warning', cluster: 'eu' } })).toEqual(['crit-mutes-warn']);
    expect(inhibited({ fingerprint: 'w2', labels: { severity: 'warning', cluster: 'us' } })).toEqual([]);
    expect(inhibited({ fingerprint: 'c2', labels: { severity: 'critical', cluster: 'eu' } })).toEqual([]);
    expect(createInhibitor([rule], [])({ fingerprint: 'w1', labels: { severity: 'warning', cluster: 'eu' } })).toEqual([]);
  });
  it('treats a label missing on both sides as equal, and alerts matching both sides do not mute each other', () => {
    const both = { name: 'r', source_matchers: [parseMatcher('team="a"')], target_matchers: [parseMatcher('team="a"')], equal: ['zone'] };
    expect(createInhibitor([both], [{ fingerprint: 'x', labels: { team: 'a' } }])({ fingerprint: 'y', labels: { team: 'a' } })).toEqual([]);
    expect(createInhibitor([rule], [{ fingerprint: 's', labels: { severity: 'critical' } }])({ fingerprint: 't', labels: { severity: 'warning' } })).toEqual(['crit-mutes-warn']);
  });
});

describe('route tree', () => {
  it('takes the first matching child, continues where asked, and falls back to the parent', () => {
    const route = compileRouteTree({ receiver: 'ops', routes: [
      { matchers: [parseMatcher('team="db"')], receiver: 'dba', continue: true },
      { matchers: [parseMatcher('severity="page"')], receiver: 'pager' },
      { matchers: [parseMatcher('team="db"')], receiver: 'never' },
    ] });
    expect(route({ team: 'db', severity: 'page' }).map((r) => r.receiver)).toEqual(['dba', 'pager']);
    expect(route({ team: 'db' }).map((r) => r.receiver)).toEqual(['dba', 'never']);
    expect(route({ team: 'web' }).map((r) => [r.receiver, r.groupWaitMs, r.groupIntervalMs, r.repeatIntervalMs])).toEqual([['ops', 30_000, 300_000, 14_400_000]]);
  });
});

describe('webhook HMAC', () => {
  const receiver = { kind: 'generic', signature_header: 'x-signature', timestamp_header: 'x-timestamp', tolerance_seconds: 300 } as AlertReceiverRow;
  const body = Buffer.from('{"a":1}');
  const now = 1_800_000_000_000;
  const sign = (ts: number) => createHmac('sha256', 'k').update(`${ts}.`).update(body).digest('hex');
  const check = (ts: number, sig = sign(ts)) => verifyWebhook(receiver, { token: null, hmacKey: 'k' }, { headers: { 'x-signature': sig, 'x-timestamp': String(ts) }, rawBody: body }, now);
  it('accepts within the window and refuses a replay outside it, even correctly signed', () => {
    expect(check(now / 1000 - 299)).toEqual({ ok: true });
    expect(check(now / 1000 - 301)).toEqual({ ok: false, reason: 'timestamp outside the tolerance window' });
    expect(check(now / 1000 + 301).ok).toBe(false);
    expect(check(now / 1000, sign(now / 1000 - 1)).ok).toBe(false);
  });
  it("checks Grafana's signature as Grafana makes it: bare hex over `<timestamp>:<body>` in X-Grafana-Alerting-Signature", () => {
    const grafana = { kind: 'grafana', signature_header: 'x-grafana-alerting-signature', timestamp_header: 'x-grafana-alerting-signature-timestamp', tolerance_seconds: 300 } as AlertReceiverRow;
    const ts = now / 1000;
    const post = (signed: string) =>
      verifyWebhook(grafana, { token: null, hmacKey: 'k' }, { headers: { 'x-grafana-alerting-signature': createHmac('sha256', 'k').update(signed).digest('hex'), 'x-grafana-alerting-signature-timestamp': String(ts) }, rawBody: body }, now);
    expect(post(`${ts}:${body.toString()}`)).toEqual({ ok: true });
    expect(post(`${ts}.${body.toString()}`)).toEqual({ ok: false, reason: 'wrong signature' });
    // Without a timestamp header Grafana signs the body alone.
    const bodyOnly = verifyWebhook({ ...grafana, timestamp_header: null }, { token: null, hmacKey: 'k' }, { headers: { 'x-grafana-alerting-signature': createHmac('sha256', 'k').update(body).digest('hex') }, rawBody: body }, now);
    expect(bodyOnly).toEqual({ ok: true });
  });
  it('needs both when both are configured', () => {
    const both = (auth: string) => verifyWebhook({ ...receiver, timestamp_header: null }, { token: 't', hmacKey: 'k' }, { headers: { authorization: auth, 'x-signature': createHmac('sha256', 'k').update(body).digest('hex') }, rawBody: body }, now);
    expect(both('Bearer t').ok).toBe(true);
    expect(both('Bearer u').ok).toBe(false);
  });
});

describe('generic mapping paths', () => {
  it('reads dotted, indexed and quoted steps, and never the prototype', () => {
    const v = { a: { 'b-c': [{ d: 1 }] } };
    expect(readPath(v, "$.a['b-c'][0].d")).toBe(1);
    expect(readPath(v, '$.a.missing.d')).toBeUndefined();
    expect(readPath(v, '$.constructor')).toBeUndefined();
  });
});
