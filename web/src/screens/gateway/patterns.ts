/** One name or glob per line or comma; none = every one (null). */
export function patterns(text: string): string[] | null {
  const list = text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
  return list.length ? list : null;
}

/** An allowlist back to the text `patterns` reads: one per line; empty for "every one". */
export function patternsText(list: string[] | null): string {
  return list ? list.join('\n') : '';
}
