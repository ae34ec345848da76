/**
 * Whether an object key, environment variable or header name probably holds a credential
 * (`password`, `api_key`, `Authorization`, `GITHUB_TOKEN`, `x-api-key`, `client_secret`...).
 * Case, `-`, `_` and `.` are ignored. MCP's own `progressToken` is not a credential.
 */
const EXACT = new Set(['auth', 'pwd', 'pass', 'cookie', 'setcookie', 'credentials', 'signature', 'sessionid']);
const PARTS = ['password', 'passwd', 'passphrase', 'secret', 'apikey', 'accesskey', 'privatekey', 'authorization', 'credential'];
const NOT_SENSITIVE = new Set(['progresstoken', 'maxtokens', 'tokens', 'tokencount', 'nextcursor']);

export function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_. ]/g, '');
}

export function isSensitiveKey(key: string, extra?: ReadonlySet<string>): boolean {
  const k = normalizeKey(key);
  if (NOT_SENSITIVE.has(k)) return false;
  if (EXACT.has(k) || extra?.has(k)) return true;
  return k.endsWith('token') || PARTS.some((p) => k.includes(p));
}
