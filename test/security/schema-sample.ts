import type { JsonSchema } from './openapi-operations.js';

/**
 * Values generated from JSON Schemas (draft 2020-12, as zod emits them): a valid sample, and mutated
 * ones that break the schema in the ways an attacker would try. Deterministic for a given seed.
 */

export type Rng = () => number;

/** mulberry32: a small seeded PRNG, so a failing fuzz run can be replayed exactly. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!;
}

const STRING_CANDIDATES = ['sample', 'sample-1', 'abc', 'a', 'x1', 'Sample_Name', 'sample.name', 'SAMPLE', 'a/b', '*', 'info'];

function matches(value: string, schema: JsonSchema): boolean {
  if (schema['minLength'] !== undefined && value.length < schema['minLength']) return false;
  if (schema['maxLength'] !== undefined && value.length > schema['maxLength']) return false;
  return schema['pattern'] === undefined || new RegExp(schema['pattern'], 'u').test(value);
}

function sampleString(schema: JsonSchema, rng: Rng): string {
  switch (schema['format']) {
    case 'date-time':
      return new Date(Date.now() + 86_400_000).toISOString();
    case 'uri':
    case 'url':
      return 'http://127.0.0.1:9/sample';
    case 'email':
      return 'sample@example.com';
    case 'uuid':
      return '3f1d2c4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
  }
  const fresh = `s${Math.floor(rng() * 1e6)}`;
  for (const c of [fresh, ...STRING_CANDIDATES]) if (matches(c, schema)) return c;
  const min = schema['minLength'] ?? 1;
  return 'a'.repeat(Math.max(min, 1));
}

function sampleNumber(schema: JsonSchema, integer: boolean): number {
  const min = schema['minimum'] ?? (schema['exclusiveMinimum'] !== undefined ? schema['exclusiveMinimum'] + 1 : undefined);
  const max = schema['maximum'] ?? (schema['exclusiveMaximum'] !== undefined ? schema['exclusiveMaximum'] - 1 : undefined);
  const v = min ?? (max !== undefined ? Math.min(max, 1) : 1);
  return integer ? Math.ceil(v) : v;
}

function typeOf(schema: JsonSchema, rng: Rng): string | undefined {
  const t = schema['type'];
  if (Array.isArray(t)) {
    const nonNull = t.filter((x: string) => x !== 'null');
    return nonNull.length ? pick(rng, nonNull) : 'null';
  }
  if (t) return t;
  if (schema['properties']) return 'object';
  if (schema['items']) return 'array';
  return undefined;
}

/** A value valid for `schema`: required properties, plus optional ones at random when `full`. */
export function sampleValid(schema: JsonSchema | undefined, rng: Rng, full = false, depth = 0): unknown {
  if (!schema || depth > 12) return {};
  if (schema['const'] !== undefined) return schema['const'];
  if (Array.isArray(schema['enum'])) return pick(rng, schema['enum']);
  if (schema['default'] !== undefined && !full) return schema['default'];
  for (const key of ['anyOf', 'oneOf']) {
    if (Array.isArray(schema[key])) {
      const options = schema[key].filter((s: JsonSchema) => s['type'] !== 'null');
      return sampleValid(options.length ? (full ? pick(rng, options) : options[0]) : schema[key][0], rng, full, depth + 1);
    }
  }
  if (Array.isArray(schema['allOf'])) return sampleValid(Object.assign({}, ...schema['allOf']), rng, full, depth + 1);
  switch (typeOf(schema, rng)) {
    case 'string':
      return sampleString(schema, rng);
    case 'integer':
      return sampleNumber(schema, true);
    case 'number':
      return sampleNumber(schema, false);
    case 'boolean':
      return rng() < 0.5;
    case 'null':
      return null;
    case 'array': {
      const n = Math.max(schema['minItems'] ?? 0, full ? Math.min(schema['maxItems'] ?? 2, 2) : 0);
      return Array.from({ length: n }, () => sampleValid(schema['items'], rng, full, depth + 1));
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      const required = new Set<string>(schema['required'] ?? []);
      for (const [name, prop] of Object.entries<JsonSchema>(schema['properties'] ?? {})) {
        if (required.has(name) || (full && rng() < 0.5)) out[name] = sampleValid(prop, rng, full, depth + 1);
      }
      return out;
    }
    default:
      return full ? pick(rng, ['text', 1, true, null, { a: 1 }]) : {};
  }
}

/** Nested arrays `depth` deep: `[[[...]]]`. */
export function deepArray(depth: number): unknown {
  let v: unknown = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** Nested objects `depth` deep: `{"a":{"a":...}}`. */
export function deepObject(depth: number): unknown {
  let v: unknown = {};
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** Hostile scalars: wrong types, huge and odd strings, extreme numbers, traversal. */
export const HOSTILE_VALUES: readonly unknown[] = [
  null,
  true,
  -1,
  0,
  -2147483649,
  Number.MAX_SAFE_INTEGER * 1024,
  1.5e308,
  -0.000001,
  '',
  'x'.repeat(100_000),
  '\u0000\u0001\u001f',
  '\u{1F4A9}\u202E\uFEFF\uD800'.normalize(),
  'ǅ𝕏\u0301ß\u200B',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '${secret:MISSING}',
  "'; drop table users; --",
  '<script>alert(1)</script>',
  '%s%n%x',
  '1e999',
  [],
  ['a', 1, null],
  {},
  JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'),
  deepObject(60),
  deepArray(60),
];

/** Path-parameter values that try to escape or confuse routing. */
export const HOSTILE_IDS: readonly string[] = [
  '../../etc/passwd',
  '..',
  '%00',
  'x'.repeat(5000),
  '\u{1F4A9}',
  "' or 1=1 --",
  '-1',
  '99999999999999999999999',
  '..\\..\\windows',
  '/etc/passwd',
];

/** A mutation of a valid object body: a field replaced by a hostile value, added, dropped, or the body's type changed. */
export function mutateBody(valid: unknown, schema: JsonSchema | undefined, rng: Rng): unknown {
  const kind = Math.floor(rng() * 5);
  if (kind === 0 || valid === null || typeof valid !== 'object' || Array.isArray(valid)) return pick(rng, HOSTILE_VALUES);
  const body = { ...(valid as Record<string, unknown>) };
  const names = Object.keys(schema?.['properties'] ?? body);
  if (kind === 1 && names.length) {
    delete body[pick(rng, names)];
    return body;
  }
  if (kind === 2) return { ...body, [pick(rng, ['__proto__', 'constructor', 'unexpected', 'x'.repeat(300)])]: pick(rng, HOSTILE_VALUES) };
  const name = names.length ? pick(rng, names) : 'field';
  body[name] = kind === 3 ? pick(rng, HOSTILE_VALUES) : sampleValid(schema?.['properties']?.[name], rng, true);
  return body;
}
