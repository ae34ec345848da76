/**
 * Invisible text a person reviewing a tool would not see but a model reads: Unicode tag characters
 * (U+E0000-U+E007F, "ASCII smuggling"), zero-width and joiner characters, bidirectional controls,
 * soft hyphen and other invisible format characters, and variation selectors.
 */
const HIDDEN_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x00ad, 0x00ad],
  [0x034f, 0x034f],
  [0x115f, 0x1160],
  [0x180e, 0x180e],
  [0x200b, 0x200f],
  [0x202a, 0x202e],
  [0x2060, 0x2064],
  [0x2066, 0x2069],
  [0x3164, 0x3164],
  [0xfe00, 0xfe0f],
  [0xfeff, 0xfeff],
  [0xffa0, 0xffa0],
  [0xe0000, 0xe007f],
  [0xe0100, 0xe01ef],
];

function isHidden(cp: number): boolean {
  return HIDDEN_RANGES.some(([lo, hi]) => cp >= lo && cp <= hi);
}

function hasHiddenChar(text: string): boolean {
  for (const ch of text) if (isHidden(ch.codePointAt(0)!)) return true;
  return false;
}

/** Flags of one tool definition: `hidden_text` when any string in it holds invisible characters. */
export function hiddenTextFlags(definition: unknown): string[] {
  return hasHidden(definition, 0) ? ['hidden_text'] : [];
}

function hasHidden(value: unknown, depth: number): boolean {
  if (depth > 32) return false;
  if (typeof value === 'string') return hasHiddenChar(value);
  if (Array.isArray(value)) return value.some((v) => hasHidden(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => hasHiddenChar(k) || hasHidden(v, depth + 1));
  }
  return false;
}

/** The text with invisible characters shown as `<U+XXXX>`, for the API's review view. */
export function revealHidden(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    out += isHidden(cp) ? `<U+${cp.toString(16).toUpperCase().padStart(4, '0')}>` : ch;
  }
  return out;
}
