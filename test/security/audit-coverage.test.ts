import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validRequest } from './probe-requests.js';
import { seededRng } from './schema-sample.js';
import { createSecurityApp, type SecurityApp } from './security-app.js';

/**
 * The operation log covers the whole API: every mutating operation of /openapi.json, called once as
 * an admin with a valid request, leaves exactly one row with its action and the kind of its target,
 * and the target's id whenever the call succeeded or names an object in its path.
 */

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let t: SecurityApp;
beforeAll(async () => {
  t = await createSecurityApp({ credentials: false });
}, 120_000);
afterAll(async () => {
  await t?.closeAndCheck();
}, 120_000);

const rowsOf = (requestId: string) => t.ctx.db.selectFrom('operation_logs').selectAll().where('request_id', '=', requestId).execute();

describe('operation log coverage', () => {
  it('every mutating operation writes one row naming its action and its target', async () => {
    const admin = await t.as('admin');
    const rng = seededRng(5);
    const problems: string[] = [];
    const ops = t.operations.filter((op) => MUTATING.has(op.method));
    for (const op of ops) {
      const req = validRequest(op, t.ids, rng);
      const res = await t.send(req.method, req.url, admin, req.body);
      const rows = await rowsOf(res.headers.get('x-request-id')!);
      const route = `${op.method} ${op.path} (${res.status})`;
      if (rows.length !== 1) {
        problems.push(`${route}: ${rows.length} rows`);
        continue;
      }
      const row = rows[0]!;
      if (!/^[a-z_]+(\.[a-z_]+)+$/.test(row.action)) problems.push(`${route}: action '${row.action}' is not a declared one`);
      if (!row.target_type) problems.push(`${route}: no target type`);
      const mustName = res.status < 400 || op.pathParams.length > 0;
      if (mustName && !row.target_id) problems.push(`${route}: target id not named`);
    }
    console.log(`audit coverage: ${problems.length} problems over ${ops.length} mutating operations (each: one row, a declared action, its target named)`);
    expect(ops.length).toBeGreaterThan(30);
    expect(problems).toEqual([]);
  }, 180_000);

  it('a backup download, a read that hands out all data, is audited with the backup it names', async () => {
    const res = await t.send('GET', `/api/v1/system/backups/${t.ids.backup}/download`, await t.as('admin'));
    expect(res.status).toBe(200);
    expect(await rowsOf(res.headers.get('x-request-id')!)).toEqual([
      expect.objectContaining({ action: 'backup.download', target_type: 'backup', target_id: t.ids.backup, outcome: 'success' }),
    ]);
  });
});
