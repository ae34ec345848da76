import { AppError } from '../http/app-error.js';
import { secretNameProblem } from './secret-name.js';

/**
 * `${secret:NAME}` (latest version) and `${secret:NAME#VERSION}` (a pinned version) inside configuration
 * strings, found in strings, arrays and plain objects at any depth (env, headers, args, URLs...). Only
 * values are scanned, never object keys. Values substituted in are not scanned again.
 *
 * `$${secret:` stands for the literal text `${secret:` and is not a reference. Any other `${secret:`
 * must form a valid reference; a malformed one is an error, never passed through as text. Other `${...}`
 * forms (`${HOME}`, `${SECRET:X}`) are not references and are left alone.
 */

export interface SecretReference {
  name: string;
  /** The pinned version, or undefined for the latest. */
  version: number | undefined;
}

export interface LocatedSecretReference extends SecretReference {
  /** Where the string sits in the input, e.g. `env.API_KEY`, `args[2]`; empty for a bare string. */
  field: string;
  /** Offsets of `${...}` in that string. */
  start: number;
  end: number;
}

/** The value of a secret, or undefined if there is no such secret or version. */
export type SecretLookup = (name: string, version?: number) => Promise<string | undefined>;

export interface ResolvedSecret extends SecretReference {
  value: string;
}

const REFERENCE = /(\$?)\$\{secret:([^}]*)(\}?)/g;
const BODY = /^([^#]*)(?:#([1-9][0-9]{0,14}))?$/;
const SYNTAX = 'expected ${secret:NAME} or ${secret:NAME#VERSION}';

/** Every reference in `input`, in order. Throws AppError `validation` on a malformed reference. */
export function findSecretReferences(input: unknown): LocatedSecretReference[] {
  const found: LocatedSecretReference[] = [];
  walk(input, '', (text, field) => {
    scan(text, field, (ref) => found.push(ref));
    return text;
  });
  return found;
}

/**
 * The distinct secret names `input` references, in order of first use. With `latestOnly`, only names
 * referenced without a pinned version: the ones whose users must be told when the secret rotates.
 */
export function listReferencedSecretNames(input: unknown, options: { latestOnly?: boolean } = {}): string[] {
  const names = new Set<string>();
  for (const ref of findSecretReferences(input))
    if (!options.latestOnly || ref.version === undefined) names.add(ref.name);
  return [...names];
}

/**
 * A copy of `input` with every reference replaced by its value, and the secrets used (for redacting
 * them from the user's output). All references are checked before any lookup; each distinct
 * NAME / NAME#VERSION is looked up once, in order, so one input sees one value per reference even if
 * a rotation happens meanwhile. A lookup answering undefined is an AppError
 * `unprocessable` naming the secret; errors thrown by the lookup pass through unchanged.
 * Configuration must always pass through here before use, even without references, so that
 * `$${secret:` escapes become their literal text.
 */
export async function resolveReferencesTracked<T>(
  input: T,
  lookup: SecretLookup,
): Promise<{ value: T; secrets: ResolvedSecret[] }> {
  const resolved = new Map<string, ResolvedSecret>();
  for (const ref of findSecretReferences(input)) {
    const key = keyOf(ref);
    if (resolved.has(key)) continue;
    const value = await lookup(ref.name, ref.version);
    if (typeof value !== 'string') {
      const which = ref.version === undefined ? `'${ref.name}'` : `'${ref.name}' version ${ref.version}`;
      const where = ref.field ? ` (referenced by ${ref.field})` : '';
      throw new AppError('unprocessable', `Secret ${which} not found${where}`, {
        secret: ref.name,
        version: ref.version,
        errors: [{ field: ref.field, message: `secret ${which} not found` }],
      });
    }
    resolved.set(key, { name: ref.name, version: ref.version, value });
  }
  const value = walk(input, '', (text) =>
    text.replace(REFERENCE, (match: string, escape: string, body: string) => {
      if (escape) return match.slice(1);
      return resolved.get(keyOf(parseBody(body)!))!.value;
    }),
  ) as T;
  return { value, secrets: [...resolved.values()] };
}

function scan(text: string, field: string, emit: (ref: LocatedSecretReference) => void): void {
  for (const m of text.matchAll(REFERENCE)) {
    const [match, escape, body, close] = m as unknown as [string, string, string, string];
    if (escape) continue;
    const start = m.index;
    const at = field ? `${field}, position ${start}` : `position ${start}`;
    if (!close) throw malformed(field, `Unterminated secret reference at ${at}: ${SYNTAX}`);
    const ref = parseBody(body);
    if (!ref) throw malformed(field, `Malformed secret reference at ${at}: ${SYNTAX}`);
    const problem = secretNameProblem(ref.name);
    if (problem) throw malformed(field, `Malformed secret reference at ${at}: the name ${problem}`);
    emit({ ...ref, field, start, end: start + match.length });
  }
}

function parseBody(body: string): SecretReference | undefined {
  const m = BODY.exec(body);
  if (!m?.[1]) return undefined;
  const version = m[2] === undefined ? undefined : Number(m[2]);
  if (version !== undefined && !Number.isSafeInteger(version)) return undefined;
  return { name: m[1], version };
}

/** The message never repeats the reference's text: a value pasted by mistake must not reach logs. */
function malformed(field: string, message: string): AppError {
  return new AppError('validation', message, { errors: [{ field, message }] });
}

function keyOf(ref: SecretReference): string {
  return ref.version === undefined ? ref.name : `${ref.name}#${ref.version}`;
}

/** Maps every string in strings, arrays and plain objects; anything else is returned as is. */
function walk(value: unknown, field: string, map: (text: string, field: string) => string): unknown {
  if (typeof value === 'string') return map(value, field);
  if (Array.isArray(value)) return value.map((v, i) => walk(v, `${field}[${i}]`, map));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = walk(v, field ? `${field}.${k}` : k, map);
    return out;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
