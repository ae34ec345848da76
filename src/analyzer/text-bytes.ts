import type { Level } from './formats.js';
import type { TimeOptions } from './timestamps.js';
import { viewOf } from './byte-view.js';

/** What parseTextBytes read from a line that starts an entry. */
export interface TextHead {
  ts: number;
  level: Level | null;
  /** Byte offset of the message. */
  message: number;
}

/** The line must be decoded and read by PARSERS.text (the string path decides). */
export const UNDECIDED = -1;
/** PARSERS.text would return null (not the start of an entry). */
export const NOT_ENTRY = 0;
/** An entry starts: its time, level and message offset are in the head. */
export const ENTRY = 1;

/**
 * parseTextFast (text-fast.ts) over the UTF-8 bytes of a line, b[from, to) (no newline, a trailing CR removed), without
 * making a string: same checks in the same order on the same character codes. Everything it accepts is ASCII up to the
 * message, so byte offsets there are character offsets; a non-ASCII byte before the message fails a check and is left
 * to the string path (UNDECIDED), as is anything parseTextFast leaves to the regex. `mayHoldCr`: the line may hold a CR
 * (its message is then scanned for one). The caller makes sure the line holds no U+2028/U+2029 and is valid UTF-8.
 */
export function parseTextBytes(b: Uint8Array, from: number, to: number, mayHoldCr: boolean, opt: TimeOptions, normalize: (word: string) => Level | null, head: TextHead): number {
  const s = b[from] === 91 ? from + 1 : from;
  if (to < s + 22) return UNDECIDED;
  // The second of the line before, again (most lines): its bytes were checked then.
  const second = sameSecond(b, s) ? lastSecondMs : dateTimeAt(b, s) ? secondAt(b, s) : NaN;
  if (second !== second) return UNDECIDED;
  let p = s + 19;
  let ms = 0;
  let c = at(b, p, to);
  if ((c === 46 || c === 44) && isDigit(at(b, p + 1, to))) {
    let digits = 0;
    p++;
    while (p < to && isDigit(b[p]!)) {
      if (digits < 3) ms = ms * 10 + (b[p]! - 48);
      digits++;
      p++;
    }
    if (digits > 9) return UNDECIDED;
    for (let d = Math.min(digits, 3); d < 3; d++) ms *= 10;
    c = at(b, p, to);
  }
  let zone = opt.zoneOffsetMin;
  if (c === 90) {
    zone = 0;
    c = at(b, ++p, to);
  } else if (c === 43 || c === 45) {
    const sign = c === 45 ? -1 : 1;
    if (!isDigit(at(b, p + 1, to)) || !isDigit(at(b, p + 2, to))) return UNDECIDED;
    let q = p + 3;
    if (at(b, q, to) === 58) q++;
    if (!isDigit(at(b, q, to)) || !isDigit(at(b, q + 1, to))) return UNDECIDED;
    zone = sign * (((b[p + 1]! - 48) * 10 + (b[p + 2]! - 48)) * 60 + (b[q]! - 48) * 10 + (b[q + 1]! - 48));
    p = q + 2;
    c = at(b, p, to);
  } else if (c === 32 || c === 9) {
    const next = at(b, p + 1, to);
    if (next === 90 || next === 43 || next === 45 || next === 85) return UNDECIDED;
  }
  if (c === 93) c = at(b, ++p, to);
  if (c !== 32 && c !== 9) return UNDECIDED;
  while (c === 32 || c === 9) c = at(b, ++p, to);
  const word = p;
  while ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) c = at(b, ++p, to);
  if (p === word || (c !== 32 && c !== 9)) return UNDECIDED;
  const wordEnd = p;
  while (c === 32 || c === 9) c = at(b, ++p, to);
  if (mayHoldCr) {
    const cr = b.indexOf(13, p);
    if (cr !== -1 && cr < to) return UNDECIDED;
  }
  const level = levelOf(b, word, wordEnd, normalize);
  if (!level) return NOT_ENTRY;
  head.ts = second + ms - zone * 60_000;
  head.level = level;
  head.message = p;
  return ENTRY;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** b[i], or -1 past the line (where charCodeAt gives NaN: no check passes). */
const at = (b: Uint8Array, i: number, to: number): number => (i < to ? b[i]! : -1);

/** `dddd-dd-dd[T ]dd:dd:dd` at s (the caller checked that 22 bytes follow). */
function dateTimeAt(b: Uint8Array, s: number): boolean {
  for (let i = 0; i < 19; i++) {
    const c = b[s + i]!;
    const want = DATE_SHAPE[i]!;
    if (want === 100 ? !isDigit(c) : want === 84 ? c !== 84 && c !== 32 : c !== want) return false;
  }
  return true;
}
const DATE_SHAPE = Uint8Array.from('dddd-dd-ddTdd:dd:dd', (ch) => ch.charCodeAt(0));

/** The last second read: its 19 bytes (as four 4-byte words and three bytes) and its time. */
const lastSecond = new Int32Array(7);
let lastSecondSet = false;
let lastSecondMs = 0;

/** True when the 19 bytes at s are those of the last second read (read four at a time). */
function sameSecond(b: Uint8Array, s: number): boolean {
  if (!lastSecondSet) return false;
  const v = viewOf(b);
  const last = lastSecond;
  // The seconds change most often: compared from the end.
  return b[s + 18] === last[6] && b[s + 17] === last[5] && b[s + 16] === last[4] && v.getInt32(s + 12, true) === last[3] && v.getInt32(s + 8, true) === last[2] && v.getInt32(s + 4, true) === last[1] && v.getInt32(s, true) === last[0];
}

/** Date.UTC of the `YYYY-MM-DD?hh:mm:ss` at s, as parseTextFast computes it; remembered as the last second read. */
function secondAt(b: Uint8Array, s: number): number {
  lastSecondMs = Date.UTC(num(b, s, 0, 4), num(b, s, 5, 7) - 1, num(b, s, 8, 10), num(b, s, 11, 13), num(b, s, 14, 16), num(b, s, 17, 19), 0);
  const v = viewOf(b);
  for (let i = 0; i < 4; i++) lastSecond[i] = v.getInt32(s + 4 * i, true);
  for (let i = 16; i < 19; i++) lastSecond[i - 12] = b[s + i]!;
  lastSecondSet = true;
  return lastSecondMs;
}

/** The decimal number at b[s + x, s + y). */
function num(b: Uint8Array, s: number, x: number, y: number): number {
  let v = 0;
  for (let i = x; i < y; i++) v = v * 10 + (b[s + i]! - 48);
  return v;
}

/** Level words seen, by a number made of their letters (case folded: normalizeLevel ignores case); at most 11 letters. */
const levels = new Map<number, Level | null>();
const LONGEST_KEYED = 11;
/** Words of up to 6 letters (27^6 < 2^30: a small integer) also sit in a direct-mapped table, looked up without a Map. */
const TABLE_SIZE = 1024;
const tableKeys = new Int32Array(TABLE_SIZE).fill(-1);
const tableLevels: (Level | null)[] = new Array<Level | null>(TABLE_SIZE).fill(null);

function levelOf(b: Uint8Array, from: number, to: number, normalize: (word: string) => Level | null): Level | null {
  if (to - from > LONGEST_KEYED) return normalize(latin1(b, from, to));
  // Base 27 (letters 1-26): unique per word, and 27^11 < 2^53.
  let key = 0;
  for (let i = from; i < to; i++) key = key * 27 + ((b[i]! | 32) - 96);
  const small = to - from <= 6;
  const slot = small ? key & (TABLE_SIZE - 1) : 0;
  if (small && tableKeys[slot] === key) return tableLevels[slot]!;
  let level = levels.get(key);
  if (level === undefined) {
    level = normalize(latin1(b, from, to));
    if (levels.size < 1000) levels.set(key, level);
  }
  if (small) {
    tableKeys[slot] = key;
    tableLevels[slot] = level;
  }
  return level;
}

const latin1 = (b: Uint8Array, from: number, to: number): string => String.fromCharCode.apply(null, b.subarray(from, to) as unknown as number[]);
