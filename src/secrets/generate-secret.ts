import { randomBytes } from 'node:crypto';
import { AppError } from '../http/app-error.js';

/** Alphabets offered for generated values. All are printable ASCII without spaces. */
export const SECRET_ALPHABETS = {
  alphanumeric: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  hex: '0123456789abcdef',
  base64url: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  printable: Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join(''),
} as const;

export const GENERATED_SECRET_DEFAULT_LENGTH = 32;
export const GENERATED_SECRET_MAX_LENGTH = 4096;

export interface GenerateSecretOptions {
  /** Number of characters; default 32. */
  length?: number;
  /** 2-94 distinct printable ASCII characters, no spaces; default alphanumeric. */
  alphabet?: string;
}

/**
 * A random value of exactly `length` characters, each drawn uniformly from `alphabet`: random bytes at or
 * above the largest multiple of the alphabet size are discarded (rejection sampling), so no character is
 * favoured. `random` is the byte source (node:crypto's randomBytes unless a test passes another).
 * Throws AppError `validation` for a bad length or alphabet.
 */
export function generateSecret(
  options: GenerateSecretOptions = {},
  random: (bytes: number) => Buffer = randomBytes,
): string {
  const length = options.length ?? GENERATED_SECRET_DEFAULT_LENGTH;
  const alphabet = options.alphabet ?? SECRET_ALPHABETS.alphanumeric;
  if (!Number.isSafeInteger(length) || length < 1 || length > GENERATED_SECRET_MAX_LENGTH)
    invalid('length', `must be a whole number from 1 to ${GENERATED_SECRET_MAX_LENGTH}`);
  if (!/^[\x21-\x7e]{2,94}$/.test(alphabet))
    invalid('alphabet', 'must be 2-94 printable ASCII characters without spaces');
  if (new Set(alphabet).size !== alphabet.length) invalid('alphabet', 'must not repeat a character');

  const size = alphabet.length;
  const limit = 256 - (256 % size);
  const out: string[] = [];
  while (out.length < length) {
    const batch = random(Math.ceil(((length - out.length) * 256) / limit) + 8);
    for (const b of batch) {
      if (b >= limit) continue;
      out.push(alphabet[b % size]!);
      if (out.length === length) break;
    }
    batch.fill(0);
  }
  return out.join('');
}

function invalid(field: string, message: string): never {
  throw new AppError('validation', `Generated secret ${field} ${message}`, { errors: [{ field, message }] });
}
