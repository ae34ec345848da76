const OFFSET = 0xcbf29ce484222325n;
const PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
/** prometheus/common model.SeparatorByte: after every label name and every value. */
const SEPARATOR = 0xff;

/**
 * An alert's fingerprint as Prometheus and Alertmanager compute it (prometheus/common
 * `labelSetToFingerprint`): FNV-1a 64 over the label names in byte order, each name then its value,
 * each followed by the 0xff separator; printed as 16 lower-case hex digits (`Fingerprint.String()`).
 */
export function fingerprintOf(labels: Record<string, string>): string {
  let hash = OFFSET;
  const add = (byte: number) => {
    hash = ((hash ^ BigInt(byte)) * PRIME) & MASK;
  };
  for (const name of Object.keys(labels).sort(byteOrder)) {
    for (const b of Buffer.from(name, 'utf8')) add(b);
    add(SEPARATOR);
    for (const b of Buffer.from(labels[name]!, 'utf8')) add(b);
    add(SEPARATOR);
  }
  return hash.toString(16).padStart(16, '0');
}

/** Go's sort of strings: by UTF-8 bytes, not by UTF-16 units. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
