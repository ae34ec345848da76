/**
 * A key's gateway allowlists. `null` allows everything; a list allows only what one of its entries
 * matches. Entries are exact names or globs (`*` any run of characters, `?` one character).
 */
export interface Allowlist {
  servers: readonly string[] | null;
  tools: readonly string[] | null;
}

export const ALLOW_ALL: Allowlist = Object.freeze({ servers: null, tools: null });

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  let re = cache.get(glob);
  if (!re) {
    const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    re = new RegExp(`^${body}$`, 's');
    if (cache.size > 1000) cache.clear();
    cache.set(glob, re);
  }
  return re;
}

export function matchesAny(patterns: readonly string[], ...names: string[]): boolean {
  return patterns.some((p) => names.some((n) => globToRegExp(p).test(n)));
}

export function serverAllowed(list: Allowlist, server: string): boolean {
  return list.servers === null || matchesAny(list.servers, server);
}

/** A tool is allowed when its server is, and its full (and shown) name matches the tool allowlist. */
export function toolAllowed(list: Allowlist, server: string, names: { full: string; exposed: string }): boolean {
  if (!serverAllowed(list, server)) return false;
  return list.tools === null || matchesAny(list.tools, names.full, names.exposed);
}

/**
 * The SQL `LIKE` pattern (escape `\`) of a server-name glob, or null when the glob can match no
 * server name (names are `a-z 0-9 _ -`; so the pattern means the same on SQLite, whose LIKE ignores
 * case, and PostgreSQL).
 */
export function globToLike(glob: string): string | null {
  if (!/^[a-z0-9_\-*?]+$/.test(glob)) return null;
  return glob.replace(/[_*?]/g, (c) => ({ _: '\\_', '*': '%', '?': '_' })[c]!);
}
