/**
 * Column values between a database driver and the dialect-neutral backup text. Everything in the
 * current schema is text or integer; the other cases keep the format sound for tables added later
 * (binary as base64, booleans, timestamps and JSON from PostgreSQL).
 */
export type EncodedValue = null | string | number | boolean | { $b64: string };

export function encodeValue(v: unknown): EncodedValue {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'bigint':
      return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  }
  if (v instanceof Uint8Array) return { $b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (v instanceof Date) return v.toISOString();
  // json / jsonb columns come back parsed; store their text.
  return JSON.stringify(v);
}

/** True for a value a backup line may hold (anything else makes the file invalid). */
export function isEncodedValue(v: unknown): v is EncodedValue {
  if (v === null) return true;
  const t = typeof v;
  if (t === 'string' || t === 'boolean') return true;
  if (t === 'number') return Number.isFinite(v);
  if (t === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v as object);
    return keys.length === 1 && keys[0] === '$b64' && typeof (v as { $b64: unknown }).$b64 === 'string';
  }
  return false;
}

const PG_BOOL = /^bool(ean)?$/;
const INTEGER = /int|serial/;

/** A decoded value ready to bind for a column of `type` (the target's declared type, lower case). */
export function decodeValue(v: EncodedValue, dialect: 'sqlite' | 'postgres', type: string): unknown {
  if (v === null) return null;
  if (typeof v === 'object') return Buffer.from(v.$b64, 'base64');
  if (typeof v === 'boolean') {
    if (dialect === 'sqlite' || INTEGER.test(type)) return v ? 1 : 0;
    return v;
  }
  if (typeof v === 'number' && dialect === 'postgres' && PG_BOOL.test(type)) return v !== 0;
  return v;
}
