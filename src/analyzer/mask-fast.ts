import { MAX_MASKED, VARIABLE, WILDCARD } from './mask-regex.js';

/**
 * `maskVariablesRegex` without running the regex over every line, with the same result (mask.test.ts checks it
 * against the regex on every generated corpus and on random strings). Why it is the same:
 * - Apart from double-quoted strings and a date followed by ` hh:mm:ss`, no variable spans whitespace, and every
 *   lookbehind of the regex treats whitespace like the start of the text; so each whitespace-separated token can be
 *   masked alone. Quoted strings are found first (nothing else matches a `"`), a `date time` pair falls back to the regex.
 * - A token without digits and without any of `: - / \ @ "` matches nothing; a token of digits only is one variable.
 * - Otherwise the regex treats every digit 1-9 alike, `0` alike unless an `x` follows, and letters in five classes
 *   (a-f, t, x, z, the rest; case ignored): the token is reduced to that shape, the shape's match spans are cached,
 *   and the spans are applied to the token.
 * The result is written as UTF-16 codes into MASKED (no string made), so callers can look it up without allocating.
 */

/** The last masked text (a wildcard of 3 codes replaces at least 1 character: 3 × MAX_MASKED at most). */
export const MASKED = new Uint16Array(3 * MAX_MASKED + 16);
let len = 0;
/** The hash of MASKED[0, len), kept as it is written (maskedHash). */
let hash = 0;

/** Masks text[from, to) (cut to MAX_MASKED characters) into MASKED; returns its length. */
export function maskInto(text: string, from = 0, to = text.length): number {
  if (to - from > MAX_MASKED) to = from + MAX_MASKED;
  len = 0;
  hash = 0;
  let segment = from;
  let q = quoteAt(text, from, to);
  while (q !== -1) {
    const close = closingQuote(text, q + 1, to);
    // An unpaired quote matches nothing; it stays in its token, where no other quote can pair with it.
    if (close === -1) {
      q = quoteAt(text, q + 1, to);
      continue;
    }
    if (!maskSegment(text, segment, q)) return maskWithRegex(text, from, to);
    putWildcard();
    segment = close + 1;
    q = quoteAt(text, segment, to);
  }
  return maskSegment(text, segment, to) ? len : maskWithRegex(text, from, to);
}

/** The message with its variables replaced by `<*>` (for grouping: "the same error, other values"). */
export function maskVariables(message: string): string {
  return maskedString(maskInto(message));
}

/** MASKED[0, n) as a string. */
export function maskedString(n: number): string {
  let out = '';
  for (let i = 0; i < n; i += 4096) out += String.fromCharCode.apply(null, MASKED.subarray(i, Math.min(n, i + 4096)) as unknown as number[]);
  return out;
}

/** A hash of MASKED[0, n): a small integer (a Map key V8 does not box). Made while the text was written when n is its length. */
export function maskedHash(n: number): number {
  if (n === len) return (hash ^ n) & SMALL;
  let h = 0;
  for (let i = 0; i < n; i++) h = (Math.imul(h, 31) + MASKED[i]!) | 0;
  return (h ^ n) & SMALL;
}

/** Hashes are cut to 30 bits: small integers on every V8 build. */
const SMALL = 0x3fffffff;

/** True when MASKED[0, n) equals s. */
export function maskedEquals(n: number, s: string): boolean {
  if (s.length !== n) return false;
  for (let i = 0; i < n; i++) if (MASKED[i] !== s.charCodeAt(i)) return false;
  return true;
}

function maskWithRegex(text: string, from: number, to: number): number {
  return putMasked(text.slice(from, to).replace(VARIABLE, WILDCARD));
}

/** Writes an already masked text (at most 3 × MAX_MASKED characters) into MASKED; returns its length. */
export function putMasked(masked: string): number {
  len = Math.min(masked.length, MASKED.length);
  let h = 0;
  for (let i = 0; i < len; i++) {
    const c = masked.charCodeAt(i);
    MASKED[i] = c;
    h = (Math.imul(h, 31) + c) | 0;
  }
  hash = h;
  return len;
}

function quoteAt(text: string, from: number, to: number): number {
  const q = text.indexOf('"', from);
  return q < to ? q : -1;
}

/** The next `"` before a newline, or -1. */
function closingQuote(text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) return i;
    if (c === 10) return -1;
  }
  return -1;
}

function putWildcard(): void {
  MASKED[len] = 60;
  MASKED[len + 1] = 42;
  MASKED[len + 2] = 62;
  len += 3;
  hash = (Math.imul(Math.imul(Math.imul(hash, 31) + 60, 31) + 42, 31) + 62) | 0;
}

function copy(text: string, from: number, to: number): void {
  let h = hash;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    MASKED[len++] = c;
    h = (Math.imul(h, 31) + c) | 0;
  }
  hash = h;
}

/** Masks text[from, to) token by token into MASKED; false when a `date time` pair asks for the regex. */
function maskSegment(text: string, from: number, to: number): boolean {
  let copied = from;
  let j = from;
  while (j < to) {
    const c0 = text.charCodeAt(j);
    if (c0 < 128 ? FLAGS[c0] === SPACE : isSpace(c0)) {
      j++;
      continue;
    }
    let k = j;
    let seen = 0;
    // The token's shape hash (spansFor) is made in the same pass.
    let h = 0;
    for (; k < to; k++) {
      const c = text.charCodeAt(k);
      if (c < 128) {
        const f = FLAGS[c]!;
        if (f === SPACE) break;
        seen |= f;
        h = (Math.imul(h, 31) + (c === 48 ? (k + 1 < to && (text.charCodeAt(k + 1) | 32) === 120 ? 48 : 49) : CLASS[c]!)) | 0;
      } else {
        if (isSpace(c)) break;
        seen |= PLAIN;
        h = (Math.imul(h, 31) + c) | 0;
      }
    }
    if ((seen & (DIGIT | SPECIAL)) === 0) {
      j = k;
      continue;
    }
    let spans: number[];
    if (seen === DIGIT) spans = FULL;
    else {
      if (k < to && text.charCodeAt(k) === 32 && endsWithDate(text, j, k) && startsWithTime(text, k + 1, to)) return false;
      spans = spansFor(text, j, k, h);
    }
    if (spans === FULL) {
      copy(text, copied, j);
      putWildcard();
      copied = k;
    } else if (spans !== NONE) {
      for (let s = 0; s < spans.length; s += 2) {
        copy(text, copied, j + spans[s]!);
        putWildcard();
        copied = j + spans[s + 1]!;
      }
    }
    j = k;
  }
  copy(text, copied, to);
  return true;
}

/** JavaScript's `\s`. */
export function isSpace(c: number): boolean {
  if (c === 32 || (c >= 9 && c <= 13)) return true;
  if (c < 128) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** The token ends with `d-dd` (a date may end here and go on with ` hh:mm:ss`). */
function endsWithDate(text: string, from: number, to: number): boolean {
  return to - from >= 5 && isDigit(text.charCodeAt(to - 1)) && isDigit(text.charCodeAt(to - 2)) && text.charCodeAt(to - 3) === 45 && isDigit(text.charCodeAt(to - 4));
}

function startsWithTime(text: string, from: number, to: number): boolean {
  return to - from >= 8 && isDigit(text.charCodeAt(from)) && isDigit(text.charCodeAt(from + 1)) && text.charCodeAt(from + 2) === 58;
}

/** Match spans of a token's shape ([start, end) pairs); FULL when one span covers the whole token, NONE when none. */
const FULL: number[] = [];
const NONE: number[] = [];

interface Shape {
  shape: string;
  spans: number[];
  next: Shape | undefined;
}

/** Shapes by hash (chained on collisions), bounded. */
const shapes = new Map<number, Shape>();
const SHAPES_MAX = 20_000;
/** Longer tokens (paths, long ids) rarely repeat their shape: masked by the regex alone, not cached. */
const SHAPE_MAX_LENGTH = 48;

const DIGIT = 1;
const SPECIAL = 2;
const PLAIN = 4;
const SPACE = 8;
/** Per ASCII code: whitespace, digit, a character some variable needs (`: - / \\ @ "`), or plain. */
const FLAGS = (() => {
  const t = new Uint8Array(128).fill(PLAIN);
  for (const c of [9, 10, 11, 12, 13, 32]) t[c] = SPACE;
  for (let c = 48; c <= 57; c++) t[c] = DIGIT;
  for (const ch of ':-/\\@"') t[ch.charCodeAt(0)] = SPECIAL;
  return t;
})();
/** Per ASCII code: its class representative (digits 1-9 → `1`; `0` is decided by what follows). */
const CLASS = (() => {
  const t = new Uint16Array(128);
  for (let c = 0; c < 128; c++) t[c] = c;
  for (let c = 49; c <= 57; c++) t[c] = 49;
  for (let c = 97; c <= 122; c++) {
    const rep = c <= 102 ? 97 : c === 116 || c === 120 || c === 122 ? c : 103;
    t[c] = rep;
    t[c - 32] = rep;
  }
  return t;
})();

/** The class representative of text[i] (see maskVariables); the code itself for characters outside the classes. */
function classCode(text: string, i: number, to: number): number {
  const c = text.charCodeAt(i);
  if (c >= 49 && c <= 57) return 49;
  if (c === 48) return i + 1 < to && (text.charCodeAt(i + 1) | 32) === 120 ? 48 : 49;
  const l = c | 32;
  if (l >= 97 && l <= 122) return l <= 102 ? 97 : l === 116 || l === 120 || l === 122 ? l : 103;
  return c;
}

/** The match spans of text[from, to), a token whose shape hashes to h (as computed in maskSegment). */
function spansFor(text: string, from: number, to: number, h: number): number[] {
  if (to - from > SHAPE_MAX_LENGTH) return spansOf(text.slice(from, to));
  // Kept within a small integer (no boxed number to look up).
  h &= SMALL;
  const head = shapes.get(h);
  for (let e = head; e; e = e.next) if (sameShape(e.shape, text, from, to)) return e.spans;
  let shape = '';
  for (let i = from; i < to; i++) shape += String.fromCharCode(classCode(text, i, to));
  const spans = spansOf(shape);
  if (shapes.size >= SHAPES_MAX) shapes.clear();
  shapes.set(h, { shape, spans, next: shapes.get(h) });
  return spans;
}

function sameShape(shape: string, text: string, from: number, to: number): boolean {
  if (shape.length !== to - from) return false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (shape.charCodeAt(i - from) !== (c >= 128 ? c : c === 48 ? classCode(text, i, to) : CLASS[c]!)) return false;
  }
  return true;
}

function spansOf(shape: string): number[] {
  const spans: number[] = [];
  const re = new RegExp(VARIABLE.source, 'gi');
  for (let m = re.exec(shape); m; m = re.exec(shape)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    spans.push(m.index, m.index + m[0].length);
  }
  if (spans.length === 0) return NONE;
  if (spans.length === 2 && spans[0] === 0 && spans[1] === shape.length) return FULL;
  return spans;
}
