/**
 * The one place that decides what looks like a credential and how it is shown masked: by key name
 * (`password`, `api_key`, `Authorization`, `GITHUB_TOKEN`...), by flag name (`--api-key`), and by value
 * shape (URL userinfo and query values, `Password=...;` in connection strings). `${secret:NAME}`
 * references are not secrets: they are always left as they are.
 */

export const MASK = '********';

const EXACT = new Set(['auth', 'pwd', 'pass', 'cookie', 'setcookie', 'credentials', 'signature', 'sessionid']);
const PARTS = ['password', 'passwd', 'passphrase', 'secret', 'apikey', 'accesskey', 'privatekey', 'authorization', 'credential'];
const NOT_SENSITIVE = new Set(['progresstoken', 'maxtokens', 'tokens', 'tokencount', 'nextcursor']);

export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_. ]/g, '');
}

/**
 * Whether an object key, environment variable or header name probably holds a credential.
 * Case, `-`, `_` and `.` are ignored. MCP's own `progressToken` is not a credential.
 */
export function isSensitiveKey(key: string, extra?: ReadonlySet<string>): boolean {
  const k = normalizeKey(key);
  if (NOT_SENSITIVE.has(k)) return false;
  if (EXACT.has(k) || extra?.has(k)) return true;
  return k.endsWith('token') || PARTS.some((p) => k.includes(p));
}

/** A command-line flag whose value is probably a credential: `--*key*`, `--*token*`, `--*pass*`, `--*secret*`, `--*auth*`. */
export function isSensitiveFlag(flag: string): boolean {
  const k = normalizeKey(flag.replace(/^-+/, ''));
  return !NOT_SENSITIVE.has(k) && (isSensitiveKey(k) || /key|token|secret|pass|pwd|auth/.test(k));
}

const REFERENCE = /\$\{secret:[^}]*\}/g;
const HOLE = /\uE000(\d+)\uE000/g;

/** Runs `mask` with every `${secret:...}` reference swapped out for a placeholder, then puts them back. */
function sparingReferences(text: string, mask: (t: string) => string): string {
  if (!text.includes('${secret:')) return mask(text);
  const refs: string[] = [];
  const hidden = text.replace(REFERENCE, (r) => `\uE000${refs.push(r) - 1}\uE000`);
  return mask(hidden).replace(HOLE, (_m, i: string) => refs[Number(i)]!);
}

/** A value as shown: MASK, unless empty or (partly) a reference. */
const masked = (value: string) => (value === '' || /\uE000\d+\uE000/.test(value) ? value : MASK);

const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*@)?([^?#]*)(\?[^#]*)?(#.*)?$/is;

/**
 * `postgres://u:pw@h/db?password=x` -> `postgres://u:********@h/db?password=********`; other text as
 * is. `strict` also masks every query value and a userinfo without a password (`https://ghp_x@host`).
 */
export function maskUrl(text: string, opts: { strict?: boolean } = {}): string {
  return sparingReferences(text, (t) => maskUrlParts(t, opts.strict ?? false));
}

function maskUrlParts(text: string, strict: boolean): string {
  const m = URL_PARTS.exec(text);
  if (!m) return text;
  const [, scheme, userinfo, rest, query, hash] = m as unknown as [string, string, string | undefined, string, string | undefined, string | undefined];
  return scheme + maskUserinfo(userinfo ?? '', strict) + rest + maskQuery(query ?? '', strict) + (hash ?? '');
}

function maskUserinfo(userinfo: string, strict: boolean): string {
  if (!userinfo) return userinfo;
  const body = userinfo.slice(0, -1);
  const colon = body.indexOf(':');
  if (colon >= 0) return `${body.slice(0, colon)}:${masked(body.slice(colon + 1))}@`;
  return strict ? `${masked(body)}@` : userinfo;
}

function maskQuery(query: string, all: boolean): string {
  return query.replace(/([?&;])([^=&#;]*)=([^&#;]*)/g, (whole, sep: string, key: string, value: string) =>
    all || isSensitiveKey(safeDecode(key)) ? `${sep}${key}=${masked(value)}` : whole,
  );
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;
const PAIR = /(^|[\s;&,])([A-Za-z_][\w.-]*)=([^\s;&,]*)/g;
const FLAG_VALUE = /(^|\s)(--?[A-Za-z][\w.-]*)([=\s]+)([^\s-][^\s]*)/g;

/**
 * Free text (an env value, a command line) with the credentials it shows by shape masked: URLs
 * (strictly), `--token=x` / `--token x` flags, `Password=x;` and other `key=value` pairs of sensitive keys.
 */
export function maskCredentialsInText(text: string): string {
  return sparingReferences(text, (t) =>
    t
      .replace(URL_IN_TEXT, (u) => maskUrlParts(u, true))
      .replace(PAIR, (whole, lead: string, key: string, value: string) => (isSensitiveKey(key) ? `${lead}${key}=${masked(value)}` : whole))
      .replace(FLAG_VALUE, (whole, lead: string, flag: string, sep: string, value: string) => (isSensitiveFlag(flag) ? `${lead}${flag}${sep}${masked(value)}` : whole)),
  );
}

/** Command-line arguments as shown: the value after a sensitive flag (`--api-key`, `sk-...`) masked, and each argument's own shapes. */
export function maskArgs(args: readonly string[]): string[] {
  return args.map((arg, i) => {
    const prev = args[i - 1];
    const afterFlag = prev !== undefined && /^--?[A-Za-z][\w.-]*$/.test(prev) && isSensitiveFlag(prev) && !arg.startsWith('-');
    return afterFlag ? sparingReferences(arg, masked) : maskCredentialsInText(arg);
  });
}

/**
 * SECRET_KEY, MCPS_MASTER_KEY(S), *_PASSWORD, *_TOKEN, *_SECRET, webhook URLs...: configuration names
 * whose values are never shown. (Not MCPS_SECRET_MAX_VERSIONS: the name's last word decides.)
 */
export function isSecretSettingName(name: string): boolean {
  return /(^|_)(KEYS?|TOKENS?|PASSWORD|PASSWD|PASS|SECRET|CREDENTIALS?)$/i.test(name) || /PASSWORD|WEBHOOK/i.test(name);
}

/** A configuration value as it may be shown: secrets masked (null when unset), URL credentials masked. */
export function maskSettingValue(name: string, value: unknown): unknown {
  if (value === undefined) return null;
  if (isSecretSettingName(name)) return MASK;
  if (typeof value === 'string') return maskUrl(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? maskUrl(v) : v));
  return value;
}
