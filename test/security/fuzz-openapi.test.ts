import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fillPath, type JsonSchema, type Operation } from './openapi-operations.js';
import { validRequest } from './probe-requests.js';
import { HOSTILE_IDS, mutateBody, pick, sampleValid, seededRng, type Rng } from './schema-sample.js';
import { createSecurityApp, type SecurityApp } from './security-app.js';

/**
 * Requests generated from each operation's schemas, valid and mutated, sent as admin to every route:
 * no answer may be a 5xx, and none may break the response schema the document declares for its status.
 * Deterministic: each operation's requests come from a seed derived from its method and path.
 */

const PER_OPERATION = 20;
const DEEP = 10_000;
const HOSTILE_QUERY = [...HOSTILE_IDS, '-1', '1e999', 'NaN', 'true', '[]', '', 'x'.repeat(10_000), '\u0000', '2026-13-45T99:99:99Z'];

/** Fuzz bases that differ from the probe's valid request, with the reason. */
const FUZZ_BODY: Record<string, { body: unknown; reason: string }> = {
  'POST /api/v1/auth/login': { body: { username: 'fuzz-nobody', password: 'wrong-password' }, reason: 'mutating the admin\'s own login would lock the admin out' },
  'POST /api/v1/auth/session': { body: { username: 'fuzz-nobody', password: 'wrong-password' }, reason: 'mutating the admin\'s own login would lock the admin out' },
};

interface FuzzCase {
  label: string;
  url: string;
  body?: unknown;
  raw?: string;
}

function seedOf(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32LE(0);
}

/** A JSON text with `value` nested `depth` deep at property `name` of `base`. */
function deepBody(base: unknown, name: string, depth: number): string {
  const nested = '{"a":'.repeat(depth) + '{}' + '}'.repeat(depth);
  const obj = base !== null && typeof base === 'object' && !Array.isArray(base) ? { ...(base as object), [name]: '__DEEP__' } : { [name]: '__DEEP__' };
  return JSON.stringify(obj).replace('"__DEEP__"', nested);
}

function casesFor(op: Operation, t: SecurityApp, rng: Rng): FuzzCase[] {
  const key = `${op.method} ${op.path}`;
  const valid = validRequest(op, t.ids, rng);
  const base = FUZZ_BODY[key]?.body ?? valid.body;
  const [path, query = ''] = valid.url.split('?');
  const cases: FuzzCase[] = [{ label: 'valid', url: valid.url, body: base }];
  if (op.body && !FUZZ_BODY[key]) cases.push({ label: 'valid (full)', url: valid.url, body: sampleValid(op.body, rng, true) });
  const kinds: string[] = [];
  if (op.body) kinds.push('body', 'body', 'body', 'deep', 'malformed');
  if (op.query.length) kinds.push('query', 'query');
  if (op.pathParams.length) kinds.push('path');
  if (!kinds.length) return cases;
  const propNames = Object.keys(op.body?.['properties'] ?? { field: 1 });
  for (let i = cases.length; i < PER_OPERATION; i++) {
    const kind = pick(rng, kinds);
    if (kind === 'body') cases.push({ label: 'mutated body', url: valid.url, body: mutateBody(base, op.body, rng) });
    else if (kind === 'deep') cases.push({ label: `body nested ${DEEP} deep`, url: valid.url, raw: deepBody(base, pick(rng, propNames), DEEP) });
    else if (kind === 'malformed') cases.push({ label: 'malformed JSON', url: valid.url, raw: pick(rng, ['{"a":', '[1,2', '{"a":1}}', 'null', '"text"', '\u0000', '{"a":NaN}']) });
    else if (kind === 'query') {
      const q = new URLSearchParams(query);
      q.set(pick(rng, op.query).name, pick(rng, HOSTILE_QUERY));
      cases.push({ label: 'mutated query', url: `${path}?${q}`, body: base });
    } else {
      const param = pick(rng, op.pathParams);
      const hostile = pick(rng, HOSTILE_IDS);
      const url = fillPath(op.path, (name) => (name === param ? hostile : decodeURIComponent(valid.url.split('/')[op.path.split('/').indexOf(`{${name}}`)]!)));
      cases.push({ label: `traversal in ${param}`, url: query ? `${url}?${query}` : url, body: base });
    }
  }
  return cases;
}

const validators = new Map<JsonSchema, z.ZodType>();
function validatorOf(schema: JsonSchema): z.ZodType {
  let v = validators.get(schema);
  if (!v) validators.set(schema, (v = z.fromJSONSchema(schema as z.core.JSONSchema.JSONSchema)));
  return v;
}

/** The schema declared for `status` (exact, then `4XX`-style, then default), if any. */
function declaredSchema(op: Operation, status: number): JsonSchema | undefined {
  return op.responses[String(status)] ?? op.responses[`${String(status)[0]}XX`] ?? op.responses['default'];
}

let t: SecurityApp;
beforeAll(async () => {
  t = await createSecurityApp({ credentials: false });
}, 120_000);
afterAll(async () => {
  await t?.closeAndCheck();
});

describe('OpenAPI-driven fuzzing', () => {
  it('answers every generated request without a 5xx and within its declared response schema', async () => {
    const admin = await t.as('admin');
    const problems: string[] = [];
    let sent = 0;
    let validated = 0;
    for (const op of t.operations) {
      const rng = seededRng(seedOf(`${op.method} ${op.path}`));
      for (const c of casesFor(op, t, rng)) {
        const res = await t.send(op.method, c.url, admin, c.body, c.raw);
        sent++;
        const where = `${op.method} ${c.url.slice(0, 120)} [${c.label}]`;
        if (res.status >= 500) problems.push(`${where}: ${res.status} ${res.body.slice(0, 200)}`);
        const schema = declaredSchema(op, res.status);
        if (!schema || !/json/.test(res.contentType)) continue;
        validated++;
        const parsed = validatorOf(schema).safeParse(JSON.parse(res.body));
        if (!parsed.success) problems.push(`${where}: ${res.status} breaks its declared schema: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
      }
    }
    for (const p of problems) console.log(`  ${p}`);
    console.log(`openapi fuzz: ${problems.length} problems (5xx or schema breaks) in ${sent} requests over ${t.operations.length} operations (${validated} responses checked against a declared schema)`);
    expect(problems).toEqual([]);
  }, 300_000);
});


