import { AppError } from '../http/app-error.js';
import { createSecretRedactor } from '../secrets/secret-redaction.js';

/** Shown in place of a query value or password of an endpoint URL. */
export const REDACTED = '***';

/**
 * Checks a WebSocket endpoint given by a user: only `ws:` and `wss:` (no `http:`, `file:`... so an
 * endpoint cannot be turned into another kind of request), a host, no fragment. Returns the URL.
 * The message never repeats the URL (it may hold a token).
 */
export function parseEndpoint(text: string, field = 'endpoint'): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw invalid(field, 'is not a valid URL (expected wss://host/path?token=...)');
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw invalid(field, `must be a ws:// or wss:// URL, not ${url.protocol}//`);
  if (!url.hostname) throw invalid(field, 'has no host');
  return url;
}

/**
 * The endpoint as it may be shown: every query value and any password replaced by `***`
 * (`wss://api.example.com/mcp/?token=***`). Text that is not a URL is fully hidden.
 */
export function redactEndpoint(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return REDACTED;
  }
  if (url.password) url.password = REDACTED;
  const keys = [...url.searchParams.keys()];
  if (keys.length > 0) url.search = keys.map((k) => `${encodeURIComponent(k)}=${REDACTED}`).join('&');
  url.hash = '';
  // URL encodes `*` in a password; keep the marker readable.
  return url.toString().replace(/%2A%2A%2A/g, REDACTED);
}

/** `pipe:<host>`: how a pipe appears as the caller in the MCP protocol log. */
export function endpointHost(text: string): string {
  try {
    return new URL(text).host;
  } catch {
    return 'unknown';
  }
}

/**
 * A function that removes this endpoint's credentials from any text (log lines, error messages):
 * the whole URL becomes its redacted form, and each query value and the password are removed
 * wherever else they appear (raw, URL-encoded or JSON-escaped).
 */
export function endpointRedactor(text: string): (line: string) => string {
  const display = redactEndpoint(text);
  const values: { name: string; value: string }[] = [];
  try {
    const url = new URL(text);
    for (const [k, v] of url.searchParams) if (v.length >= 4) values.push({ name: k, value: v });
    if (url.password) values.push({ name: 'password', value: decodeURIComponent(url.password) });
    for (const raw of url.search.slice(1).split('&')) {
      const v = raw.slice(raw.indexOf('=') + 1);
      if (v.length >= 4) values.push({ name: 'query', value: v });
    }
  } catch {
    // not a URL: only the full text is removed
  }
  const redactValues = createSecretRedactor(values);
  return (line) => redactValues(line.split(text).join(display)).replace(/\[REDACTED:[^\]]*\]/g, REDACTED);
}

function invalid(field: string, message: string): AppError {
  return new AppError('validation', `${field}: ${message}`, { errors: [{ field, message }] });
}
