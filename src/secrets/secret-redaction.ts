/**
 * Removes known secret values from text bound for logs (system log, operation log, MCP protocol log,
 * a managed server's output). Each occurrence becomes `[REDACTED:<name>]`.
 *
 * Besides the value itself, its JSON-escaped form (as it appears inside a JSON string) and its
 * URL-encoded form are matched. Longer values win over values they contain, and the text is scanned
 * once, so a replacement marker is never redacted again. A value split across two calls (two stream
 * chunks) is not found: redact whole lines or messages.
 */

export interface RedactableSecret {
  name: string;
  value: string;
}

/** Compiles the values once; the returned function is cheap to call per log line. */
export function createSecretRedactor(secrets: Iterable<RedactableSecret>): (text: string) => string {
  const nameOf = new Map<string, string>();
  for (const { name, value } of secrets) {
    if (!value) continue;
    for (const form of [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)])
      if (!nameOf.has(form)) nameOf.set(form, name);
  }
  if (nameOf.size === 0) return (text) => text;
  const forms = [...nameOf.keys()].sort((a, b) => b.length - a.length);
  const pattern = new RegExp(forms.map(escapeRegExp).join('|'), 'g');
  return (text) => text.replace(pattern, (match) => `[REDACTED:${nameOf.get(match)!}]`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
