/**
 * The text form of env (`NAME=value`) and headers (`Name: value`), one per line, as the server forms
 * edit them. A value keeps everything after the first separator (`A=b=c` is A -> `b=c`).
 */

function keyOf(line: string, separator: '=' | ':'): string {
  const at = line.indexOf(separator);
  return (at < 0 ? line : line.slice(0, at)).trim();
}

/** `NAME=value` (env) or `Name: value` (headers) lines to a record, and back. */
export function parseLines(text: string, separator: '=' | ':'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const at = line.indexOf(separator);
    const value = at < 0 ? '' : line.slice(at + 1);
    out[keyOf(line, separator)] = separator === ':' ? value.trim() : value;
  }
  return out;
}
export function toLines(values: Record<string, string>, separator: '=' | ':'): string {
  return Object.entries(values).map(([k, v]) => `${k}${separator === ':' ? ': ' : '='}${v}`).join('\n');
}

/** Sets `key` to `value` in the lines (replacing its line, or adding one). */
export function setLine(text: string, separator: '=' | ':', key: string, value: string): string {
  const line = `${key}${separator === ':' ? ': ' : '='}${value}`;
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const at = lines.findIndex((l) => keyOf(l, separator) === key);
  if (at >= 0) lines[at] = line;
  else lines.push(line);
  return lines.join('\n');
}
