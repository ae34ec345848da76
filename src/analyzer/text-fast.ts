import type { Level, Parsed } from './formats.js';
import type { TimeOptions } from './timestamps.js';

/**
 * The `text` format's common shape read with character codes instead of TEXT_RE: `[`? ISO date and time
 * (`T` or a space), an optional fraction of 1-9 digits, an optional `Z` or `±hh[:]mm` zone, `]`?, spaces or tabs,
 * a level word, spaces or tabs, the message. Anything else returns undefined and the regex decides, so the
 * result is always the regex's (formats.test.ts compares them). The time of the last second seen is reused.
 */
export function parseTextFast(line: string, opt: TimeOptions, normalize: (word: string) => Level | null): Parsed | null | undefined {
  const s = line.charCodeAt(0) === 91 ? 1 : 0;
  const n = line.length;
  if (n < s + 22 || !dateTimeAt(line, s)) return undefined;
  let p = s + 19;
  let ms = 0;
  let c = line.charCodeAt(p);
  if ((c === 46 || c === 44) && isDigit(line.charCodeAt(p + 1))) {
    let digits = 0;
    p++;
    while (p < n && isDigit(line.charCodeAt(p))) {
      if (digits < 3) ms = ms * 10 + (line.charCodeAt(p) - 48);
      digits++;
      p++;
    }
    if (digits > 9) return undefined;
    for (let d = Math.min(digits, 3); d < 3; d++) ms *= 10;
    c = line.charCodeAt(p);
  }
  let zone = opt.zoneOffsetMin;
  if (c === 90) {
    zone = 0;
    c = line.charCodeAt(++p);
  } else if (c === 43 || c === 45) {
    const z = zoneAt(line, p);
    if (z === null) return undefined;
    zone = z.minutes;
    p = z.end;
    c = line.charCodeAt(p);
  } else if (c === 32 || c === 9) {
    // `\s?` then a zone (`12:00:00 Z`, `+02:00`, `UTC`): left to the regex.
    const next = line.charCodeAt(p + 1);
    if (next === 90 || next === 43 || next === 45 || next === 85) return undefined;
  }
  if (c === 93) c = line.charCodeAt(++p);
  if (c !== 32 && c !== 9) return undefined;
  while (c === 32 || c === 9) c = line.charCodeAt(++p);
  const word = p;
  while ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) c = line.charCodeAt(++p);
  if (p === word || (c !== 32 && c !== 9)) return undefined;
  const wordEnd = p;
  while (c === 32 || c === 9) c = line.charCodeAt(++p);
  for (let i = p; i < n; i++) {
    const d = line.charCodeAt(i);
    // `(.*)$` stops at these: the regex would not match.
    if (d === 13 || d === 10 || d === 0x2028 || d === 0x2029) return undefined;
  }
  const level = levelOf(line, word, wordEnd, normalize);
  if (!level) return null;
  return { ts: secondAt(line, s) + ms - zone * 60_000, level, message: line.slice(p) };
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** `dddd-dd-dd[T ]dd:dd:dd` at s. */
function dateTimeAt(line: string, s: number): boolean {
  for (let i = 0; i < 19; i++) {
    const c = line.charCodeAt(s + i);
    const want = DATE_SHAPE.charCodeAt(i);
    if (want === 100 ? !isDigit(c) : want === 84 ? c !== 84 && c !== 32 : c !== want) return false;
  }
  return true;
}
const DATE_SHAPE = 'dddd-dd-ddTdd:dd:dd';

function zoneAt(line: string, p: number): { minutes: number; end: number } | null {
  const sign = line.charCodeAt(p) === 45 ? -1 : 1;
  const d = (i: number) => line.charCodeAt(i) - 48;
  if (!isDigit(line.charCodeAt(p + 1)) || !isDigit(line.charCodeAt(p + 2))) return null;
  let q = p + 3;
  if (line.charCodeAt(q) === 58) q++;
  if (!isDigit(line.charCodeAt(q)) || !isDigit(line.charCodeAt(q + 1))) return null;
  return { minutes: sign * ((d(p + 1) * 10 + d(p + 2)) * 60 + d(q) * 10 + d(q + 1)), end: q + 2 };
}

/** The last second read (its 19 characters, with the separator as found) and its time. */
let lastSecond = '';
let lastSecondMs = 0;

/** Date.UTC of the `YYYY-MM-DD?hh:mm:ss` at s, as isoFromMatch computes it. */
function secondAt(line: string, s: number): number {
  if (lastSecond.length === 19 && line.startsWith(lastSecond, s)) return lastSecondMs;
  const num = (a: number, b: number) => {
    let v = 0;
    for (let i = a; i < b; i++) v = v * 10 + (line.charCodeAt(s + i) - 48);
    return v;
  };
  lastSecondMs = Date.UTC(num(0, 4), num(5, 7) - 1, num(8, 10), num(11, 13), num(14, 16), num(17, 19), 0);
  lastSecond = line.slice(s, s + 19);
  return lastSecondMs;
}

/** Level words seen, by their exact spelling. */
const levels = new Map<string, Level | null>();

function levelOf(line: string, from: number, to: number, normalize: (word: string) => Level | null): Level | null {
  const word = line.slice(from, to);
  let level = levels.get(word);
  if (level === undefined) {
    level = normalize(word);
    if (levels.size < 1000) levels.set(word, level);
  }
  return level;
}
