export interface CutLimit {
  /** Characters (code points) or UTF-8 bytes. */
  unit: 'chars' | 'bytes';
  max: number;
}

const sizeOf = (s: string, unit: CutLimit['unit']) => (unit === 'bytes' ? Buffer.byteLength(s) : [...s].length);

/**
 * `text` within `limit`, `marker` included: cut between code points (never inside a UTF-8
 * sequence or a surrogate pair), at the last line break when one is near the end. Never throws.
 */
export function cutText(text: string, limit: CutLimit, marker: string): string {
  if (sizeOf(text, limit.unit) <= limit.max) return text;
  const room = limit.max - sizeOf(`\n${marker}`, limit.unit);
  if (room <= 0) return [...marker].slice(0, Math.max(0, limit.max)).join('');
  let used = 0;
  let kept = '';
  for (const ch of text) {
    const n = sizeOf(ch, limit.unit);
    if (used + n > room) break;
    kept += ch;
    used += n;
  }
  const lineBreak = kept.lastIndexOf('\n');
  if (lineBreak > kept.length * 0.8) kept = kept.slice(0, lineBreak);
  return `${kept.trimEnd()}\n${marker}`;
}
