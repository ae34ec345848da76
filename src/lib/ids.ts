import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let seq = 0;

/**
 * Random bytes drawn from the CSPRNG 4 KiB at a time: one `randomBytes(16)` per id was a tenth of the
 * CPU of storing a webhook's alerts (50 ids per body). Each id still gets 62 fresh random bits.
 */
const POOL = Buffer.alloc(4096);
let used = POOL.length;

function random(n: number): number {
  if (used + n > POOL.length) {
    randomFillSync(POOL);
    used = 0;
  }
  used += n;
  return used - n;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits, so ids sort by creation time.
 * Within one millisecond a 12-bit counter keeps ids from one process increasing.
 */
export function newId(): string {
  let ms = Date.now();
  if (ms <= lastMs) {
    seq = (seq + 1) & 0xfff;
    if (seq === 0) lastMs += 1;
    ms = lastMs;
  } else {
    lastMs = ms;
    seq = POOL.readUInt16BE(random(2)) & 0x7ff;
  }
  const r = random(8);
  const time = ms.toString(16).padStart(12, '0');
  const h = (i: number) => HEX[POOL[r + i]!]!;
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-${HEX[0x70 | (seq >> 8)]}${HEX[seq & 0xff]}-${HEX[0x80 | (POOL[r]! & 0x3f)]}${h(1)}-${h(2)}${h(3)}${h(4)}${h(5)}${h(6)}${h(7)}`;
}
