import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MasterKeyRing } from './master-keys.js';
import { MASTER_KEY_VERSION_PATTERN } from './master-keys.js';
import { SecretCryptoError } from './secret-crypto-error.js';
import { decodeStrictBase64 } from './strict-base64.js';

/**
 * Envelope encryption of one secret version (node:crypto only).
 *
 * Each version gets its own random 256-bit data key (DEK). The value is encrypted with AES-256-GCM under
 * the DEK (random 96-bit nonce, 128-bit tag); the DEK is encrypted with AES-256-GCM under the newest
 * master key (KEK). Both encryptions bind the row's identity as additional authenticated data, so a
 * ciphertext or wrapped key copied to another row (other id, name or version) fails to decrypt.
 *
 * Stored fields are base64 text (standard alphabet, padded), identical in SQLite and PostgreSQL:
 * - `kek_version`  master key version the DEK is wrapped under, e.g. `v2`
 * - `wrapped_dek`  base64 of 61 bytes: [0] format = 0x01, [1..12] wrap nonce, [13..28] wrap tag,
 *                  [29..60] the DEK encrypted under the KEK
 * - `nonce`        base64 of the 12-byte value nonce
 * - `tag`          base64 of the 16-byte value tag
 * - `ciphertext`   base64 of the encrypted UTF-8 value (same length as the value's bytes)
 *
 * AAD (UTF-8 JSON arrays, so no field can run into the next):
 * - value:   ["mcps.secret.value/1", secretId, name, version]
 * - DEK:     ["mcps.secret.dek/1", kekVersion, secretId, name, version]
 *
 * A consequence: renaming a secret means re-encrypting its versions.
 *
 * DEKs, KEK copies and plaintext buffers are zeroed after use. The plaintext string given in and
 * returned cannot be wiped (JavaScript strings are immutable); keep it no longer than its use.
 */

export interface SecretAad {
  secretId: string;
  name: string;
  /** The secret version number, 1-based. */
  version: number;
}

export interface StoredCiphertext {
  kek_version: string;
  wrapped_dek: string;
  nonce: string;
  tag: string;
  ciphertext: string;
}

const ALGORITHM = 'aes-256-gcm';
const DEK_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const WRAP_FORMAT = 0x01;
const WRAPPED_DEK_BYTES = 1 + NONCE_BYTES + TAG_BYTES + DEK_BYTES;

/** Encrypts `plaintext` under a new DEK wrapped by the ring's current master key. */
export function encryptSecret(plaintext: string, aad: SecretAad, keyring: MasterKeyRing): StoredCiphertext {
  const kekVersion = keyring.currentVersion;
  // One CSPRNG call for the DEK and both nonces instead of three; all three are wiped together.
  const random = randomBytes(DEK_BYTES + 2 * NONCE_BYTES);
  const dek = random.subarray(0, DEK_BYTES);
  const nonce = random.subarray(DEK_BYTES, DEK_BYTES + NONCE_BYTES);
  const wrapNonce = random.subarray(DEK_BYTES + NONCE_BYTES);
  const data = Buffer.from(plaintext, 'utf8');
  try {
    const { ciphertext, tag } = seal(dek, nonce, data, valueAad(aad));
    return {
      kek_version: kekVersion,
      wrapped_dek: wrapDek(dek, wrapNonce, kekVersion, aad, keyring),
      nonce: nonce.toString('base64'),
      tag: tag.toString('base64'),
      ciphertext: ciphertext.toString('base64'),
    };
  } finally {
    random.fill(0);
    data.fill(0);
  }
}

/**
 * Decrypts a stored version. Throws SecretCryptoError (`unknown_kek_version` or `decryption_failed`)
 * if the master key is missing or wrong, or any stored field or the AAD differs from what was sealed.
 */
export function decryptSecret(stored: StoredCiphertext, aad: SecretAad, keyring: MasterKeyRing): string {
  const dek = unwrapDek(stored, aad, keyring);
  const kekVersion = stored.kek_version;
  try {
    const nonce = decodeField(stored.nonce, NONCE_BYTES, 'nonce', kekVersion);
    const tag = decodeField(stored.tag, TAG_BYTES, 'tag', kekVersion);
    const ciphertext = decodeField(stored.ciphertext, undefined, 'ciphertext', kekVersion);
    const data = open(dek, nonce, ciphertext, tag, valueAad(aad));
    if (!data)
      throw new SecretCryptoError(
        'decryption_failed',
        printable(kekVersion),
        `decryption failed (tampered data: value fields do not match the row; master key ${printable(kekVersion)} is right)`,
      );
    try {
      return data.toString('utf8');
    } finally {
      data.fill(0);
    }
  } finally {
    dek.fill(0);
  }
}

/**
 * Re-wraps the DEK under the ring's current master key. The value's nonce, tag and ciphertext are
 * returned unchanged and the value is never decrypted. Always produces a fresh wrap (new wrap nonce),
 * even if the row is already under the current key. Fails like decryptSecret if the DEK cannot be
 * unwrapped; damage to the value fields is carried over and caught at the next decrypt.
 */
export function rewrapSecret(stored: StoredCiphertext, aad: SecretAad, keyring: MasterKeyRing): StoredCiphertext {
  const dek = unwrapDek(stored, aad, keyring);
  try {
    const kekVersion = keyring.currentVersion;
    const wrapNonce = randomBytes(NONCE_BYTES);
    return { ...stored, kek_version: kekVersion, wrapped_dek: wrapDek(dek, wrapNonce, kekVersion, aad, keyring) };
  } finally {
    dek.fill(0);
  }
}

function wrapDek(dek: Buffer, nonce: Buffer, kekVersion: string, aad: SecretAad, keyring: MasterKeyRing): string {
  const kek = keyring.keyFor(kekVersion);
  if (!kek) throw unknownKek(kekVersion);
  try {
    const { ciphertext, tag } = seal(kek, nonce, dek, dekAad(kekVersion, aad));
    return Buffer.concat([Buffer.of(WRAP_FORMAT), nonce, tag, ciphertext]).toString('base64');
  } finally {
    kek.fill(0);
  }
}

/** Returns the DEK (the caller wipes it) or throws SecretCryptoError. */
function unwrapDek(stored: StoredCiphertext, aad: SecretAad, keyring: MasterKeyRing): Buffer {
  const kekVersion = stored.kek_version;
  const kek = keyring.keyFor(kekVersion);
  if (!kek) throw unknownKek(kekVersion);
  try {
    const blob = decodeField(stored.wrapped_dek, WRAPPED_DEK_BYTES, 'wrapped_dek', kekVersion);
    if (blob[0] !== WRAP_FORMAT) throw malformed('wrapped_dek', kekVersion);
    const nonce = blob.subarray(1, 1 + NONCE_BYTES);
    const tag = blob.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES);
    const wrapped = blob.subarray(1 + NONCE_BYTES + TAG_BYTES);
    const dek = open(kek, nonce, wrapped, tag, dekAad(kekVersion, aad));
    if (!dek)
      throw new SecretCryptoError(
        'decryption_failed',
        printable(kekVersion),
        `decryption failed (wrong master key ${printable(kekVersion)} or tampered data)`,
      );
    return dek;
  } finally {
    kek.fill(0);
  }
}

function seal(key: Buffer, nonce: Buffer, data: Buffer, aad: Buffer): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
  return { ciphertext, tag: cipher.getAuthTag() };
}

/** The opened data, or undefined if authentication fails. Partial output is wiped on failure. */
function open(key: Buffer, nonce: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer): Buffer | undefined {
  const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const head = decipher.update(ciphertext);
  try {
    const tail = decipher.final();
    const out = Buffer.concat([head, tail]);
    tail.fill(0);
    return out;
  } catch {
    return undefined;
  } finally {
    head.fill(0);
  }
}

function valueAad(aad: SecretAad): Buffer {
  checkAad(aad);
  return Buffer.from(JSON.stringify(['mcps.secret.value/1', aad.secretId, aad.name, aad.version]), 'utf8');
}

function dekAad(kekVersion: string, aad: SecretAad): Buffer {
  checkAad(aad);
  return Buffer.from(JSON.stringify(['mcps.secret.dek/1', kekVersion, aad.secretId, aad.name, aad.version]), 'utf8');
}

/** A malformed AAD is a bug in the caller, not bad data. */
function checkAad(aad: SecretAad): void {
  if (!aad.secretId || !aad.name || !Number.isSafeInteger(aad.version) || aad.version < 1)
    throw new TypeError('secret AAD needs a secretId, a name and a positive integer version');
}

function decodeField(text: string, length: number | undefined, field: string, kekVersion: string): Buffer {
  const bytes = typeof text === 'string' ? decodeStrictBase64(text) : undefined;
  if (!bytes || (length !== undefined && bytes.length !== length)) throw malformed(field, kekVersion);
  return bytes;
}

function malformed(field: string, kekVersion: string): SecretCryptoError {
  return new SecretCryptoError(
    'decryption_failed',
    printable(kekVersion),
    `decryption failed (tampered data: ${field} is malformed; master key ${printable(kekVersion)})`,
  );
}

function unknownKek(kekVersion: string): SecretCryptoError {
  return new SecretCryptoError(
    'unknown_kek_version',
    printable(kekVersion),
    `unknown master key version ${printable(kekVersion)}: add it to MCPS_MASTER_KEYS to read this secret`,
  );
}

/** A stored version string is untrusted input: show it as-is only if it is a valid version name. */
function printable(kekVersion: string): string {
  if (typeof kekVersion === 'string' && MASTER_KEY_VERSION_PATTERN.test(kekVersion)) return kekVersion;
  return JSON.stringify(String(kekVersion).slice(0, 20));
}
