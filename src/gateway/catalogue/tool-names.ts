import { createHash } from 'node:crypto';

/** Longest name many MCP clients accept for a tool. */
export const MAX_TOOL_NAME = 64;
/** Prefix of aggregated resource URIs: `mcps://{server}/{original uri}`. */
const RESOURCE_PREFIX = 'mcps://';

/**
 * `{server}{sep}{name}`; longer than 64 characters, it is cut and ends with `_` and 8 hex characters
 * of the sha256 of the full name, so the same name always maps to the same short one.
 */
export function namespacedName(server: string, name: string, sep: string): string {
  const full = `${server}${sep}${name}`;
  if (full.length <= MAX_TOOL_NAME) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX_TOOL_NAME - 9)}_${hash}`;
}

/** The un-shortened `{server}{sep}{name}`, as allowlist globs are written. */
export function fullName(server: string, name: string, sep: string): string {
  return `${server}${sep}${name}`;
}

/** `mcps://{server}/{uri}` (the original URI or URI template kept verbatim after the slash). */
export function namespacedUri(server: string, uri: string): string {
  return `${RESOURCE_PREFIX}${server}/${uri}`;
}

/** Inverse of namespacedUri, or null when the URI is not one of the gateway's. */
export function parseNamespacedUri(uri: string): { server: string; uri: string } | null {
  if (!uri.startsWith(RESOURCE_PREFIX)) return null;
  const rest = uri.slice(RESOURCE_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return null;
  return { server: rest.slice(0, slash), uri: rest.slice(slash + 1) };
}
