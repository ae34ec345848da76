/** The placeholder a masked variable becomes. */
export const WILDCARD = '<*>';

/**
 * Variables of log messages, most specific first: double-quoted strings, URLs, e-mail addresses, UUIDs, IPv4/IPv6 (with a
 * port), MAC addresses, hex numbers and long hex ids, file paths, dates and times, then any number
 * (with a unit or a sign) and any word that mixes letters with digits (ids like `blk_123`, `req-9f3a`).
 * This regex is the definition; `maskVariables` gives the same result faster (mask-fast.ts).
 */
export const VARIABLE = new RegExp(
  [
    /"[^"\n]*"/.source,
    /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/.source,
    /(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/.source,
    /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.source,
    /(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?/.source,
    /(?:[0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}/.source,
    /(?:[0-9a-f]{2}[:-]){5}[0-9a-f]{2}/.source,
    /0x[0-9a-f]+/.source,
    /(?:[A-Za-z]:)?(?:[\\/][\w.@~$-]+){2,}[\\/]?/.source,
    /\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?/.source,
    /\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?/.source,
    /(?<![\w])[\w.-]*\d[\w.-]*/.source,
  ].join('|'),
  'gi',
);

/** Longer messages are grouped by their first MAX_MASKED characters. */
export const MAX_MASKED = 2000;

/** The reference: the regex over the whole message (slow; `maskVariables` must equal it). */
export function maskVariablesRegex(message: string): string {
  return (message.length > MAX_MASKED ? message.slice(0, MAX_MASKED) : message).replace(VARIABLE, WILDCARD);
}
