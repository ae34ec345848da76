import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SecretAad, StoredCiphertext } from './envelope.js';
import { decryptSecret, encryptSecret, rewrapSecret } from './envelope.js';
import type { MasterKeyRing } from './master-keys.js';
import { createMasterKeyRing } from './master-keys.js';
import { SecretCryptoError } from './secret-crypto-error.js';

const CANARY = 'canary-7f3a9c1e-do-not-leak';
const FIELDS = ['kek_version', 'wrapped_dek', 'nonce', 'tag', 'ciphertext'] as const;

function ring(...versions: Array<[string, Buffer]>): MasterKeyRing {
  return createMasterKeyRing(
    versions.map(([version, key]) => ({ version, key })),
    'MCPS_MASTER_KEYS',
  );
}

const v1 = randomBytes(32);
const v2 = randomBytes(32);
const keys = ring(['v1', v1]);
const rowA: SecretAad = { secretId: '018f6f7e-0000-7000-8000-00000000000a', name: 'GITHUB_TOKEN', version: 1 };
const rowB: SecretAad = { secretId: '018f6f7e-0000-7000-8000-00000000000b', name: 'SLACK_WEBHOOK', version: 4 };

/** Runs `fn`, expecting a SecretCryptoError; checks that nothing secret leaks into it. */
function cryptoError(fn: () => unknown): SecretCryptoError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SecretCryptoError);
    expect((err as Error).message).not.toContain(CANARY);
    expect((err as Error).message).not.toContain(v1.toString('base64'));
    return err as SecretCryptoError;
  }
  throw new Error('expected decryption to be refused');
}

function flipBit(bytes: Buffer, bit: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

function flipCharBit(text: string, bit: number): string {
  const i = bit >> 3;
  return text.slice(0, i) + String.fromCharCode(text.charCodeAt(i) ^ (1 << (bit & 7))) + text.slice(i + 1);
}

describe('encryptSecret / decryptSecret', () => {
  it.each([
    ['ascii', CANARY],
    ['unicode', 'pässwörd 🔑 ключ 鍵'],
    ['one character', 'x'],
    ['64 KiB', 'z'.repeat(64 * 1024)],
    ['text with newlines and NULs', 'a\nb\r\n\0c'],
  ])('round-trips %s', (_, value) => {
    const stored = encryptSecret(value, rowA, keys);
    expect(decryptSecret(stored, rowA, keys)).toBe(value);
  });

  it('stores base64 text in the documented layout', () => {
    const stored = encryptSecret(CANARY, rowA, keys);
    expect(Object.keys(stored).sort()).toEqual([...FIELDS].sort());
    expect(stored.kek_version).toBe('v1');
    for (const f of ['wrapped_dek', 'nonce', 'tag', 'ciphertext'] as const)
      expect(stored[f]).toMatch(/^[A-Za-z0-9+/]*={0,2}$/);
    const wrapped = Buffer.from(stored.wrapped_dek, 'base64');
    expect(wrapped).toHaveLength(61);
    expect(wrapped[0]).toBe(0x01);
    expect(Buffer.from(stored.nonce, 'base64')).toHaveLength(12);
    expect(Buffer.from(stored.tag, 'base64')).toHaveLength(16);
    expect(Buffer.from(stored.ciphertext, 'base64')).toHaveLength(Buffer.byteLength(CANARY));
    expect(JSON.stringify(stored)).not.toContain(CANARY);
  });

  it('gives a different data key, nonce and ciphertext each time', () => {
    const a = encryptSecret(CANARY, rowA, keys);
    const b = encryptSecret(CANARY, rowA, keys);
    for (const f of ['wrapped_dek', 'nonce', 'tag', 'ciphertext'] as const) expect(a[f]).not.toBe(b[f]);
  });

  it('refuses a flipped bit in any byte of every binary field', () => {
    const stored = encryptSecret(CANARY, rowA, keys);
    let refused = 0;
    for (const field of ['wrapped_dek', 'nonce', 'tag', 'ciphertext'] as const) {
      const bytes = Buffer.from(stored[field], 'base64');
      for (let bit = 0; bit < bytes.length * 8; bit++) {
        const tampered = { ...stored, [field]: flipBit(bytes, bit).toString('base64') };
        expect(cryptoError(() => decryptSecret(tampered, rowA, keys)).code).toBe('decryption_failed');
        refused++;
      }
    }
    expect(refused).toBe((61 + 12 + 16 + Buffer.byteLength(CANARY)) * 8);
  });

  it('refuses a flipped bit in any character of every stored text field, kek_version included', () => {
    // v0 and w1 are one bit away from v1: a flip can land on a configured key and must still fail.
    const sut = ring(['v1', v1], ['v0', randomBytes(32)], ['w1', randomBytes(32)]);
    const stored = encryptSecret(CANARY, rowA, sut);
    const codes = new Set<string>();
    for (const field of FIELDS) {
      for (let bit = 0; bit < stored[field].length * 8; bit++) {
        const tampered: StoredCiphertext = { ...stored, [field]: flipCharBit(stored[field], bit) };
        const err = cryptoError(() => decryptSecret(tampered, rowA, sut));
        codes.add(`${field}:${err.code}`);
      }
    }
    expect(codes).toContain('kek_version:decryption_failed');
    expect(codes).toContain('kek_version:unknown_kek_version');
  });

  it('refuses malformed fields, naming the field and key version', () => {
    const stored = encryptSecret(CANARY, rowA, keys);
    for (const [field, value] of [
      ['wrapped_dek', stored.wrapped_dek.slice(4)],
      ['nonce', Buffer.alloc(16).toString('base64')],
      ['tag', Buffer.alloc(12).toString('base64')],
      ['ciphertext', 'not base64!'],
      ['wrapped_dek', Buffer.concat([Buffer.of(2), Buffer.from(stored.wrapped_dek, 'base64').subarray(1)]).toString('base64')],
    ] as const) {
      const err = cryptoError(() => decryptSecret({ ...stored, [field]: value }, rowA, keys));
      expect(err.code).toBe('decryption_failed');
      expect(err.message).toContain(field);
      expect(err.message).toContain('v1');
    }
  });

  it('refuses a row moved to another row (AAD swap)', () => {
    const a = encryptSecret(CANARY, rowA, keys);
    const b = encryptSecret('value of B', rowB, keys);
    expect(decryptSecret(a, rowA, keys)).toBe(CANARY);
    expect(cryptoError(() => decryptSecret(a, rowB, keys)).code).toBe('decryption_failed');
    expect(cryptoError(() => decryptSecret(b, rowA, keys)).code).toBe('decryption_failed');
    for (const other of [
      { ...rowA, secretId: rowB.secretId },
      { ...rowA, name: rowB.name },
      { ...rowA, version: 2 },
    ])
      expect(cryptoError(() => decryptSecret(a, other, keys)).code).toBe('decryption_failed');
  });

  it('refuses mixing the wrapped key of one row with the value of another', () => {
    const a = encryptSecret(CANARY, rowA, keys);
    const b = encryptSecret('value of B', rowB, keys);
    expect(() => decryptSecret({ ...a, wrapped_dek: b.wrapped_dek }, rowA, keys)).toThrow(SecretCryptoError);
    expect(() => decryptSecret({ ...a, wrapped_dek: b.wrapped_dek }, rowB, keys)).toThrow(SecretCryptoError);
    expect(() => decryptSecret({ ...b, nonce: a.nonce, tag: a.tag, ciphertext: a.ciphertext }, rowB, keys)).toThrow(
      SecretCryptoError,
    );
  });

  it('names the key version when the master key is wrong', () => {
    const stored = encryptSecret(CANARY, rowA, ring(['v3', v1]));
    const err = cryptoError(() => decryptSecret(stored, rowA, ring(['v3', randomBytes(32)])));
    expect(err.code).toBe('decryption_failed');
    expect(err.kekVersion).toBe('v3');
    expect(err.message).toBe('decryption failed (wrong master key v3 or tampered data)');
  });

  it('names the key version when it is not configured', () => {
    const stored = encryptSecret(CANARY, rowA, keys);
    const err = cryptoError(() => decryptSecret(stored, rowA, ring(['v2', v2])));
    expect(err.code).toBe('unknown_kek_version');
    expect(err.kekVersion).toBe('v1');
    expect(err.message).toMatch(/^unknown master key version v1/);
  });

  it('does not echo a tampered kek_version with control characters', () => {
    const stored = { ...encryptSecret(CANARY, rowA, keys), kek_version: 'v1\n\u001b[31mforged' };
    const err = cryptoError(() => decryptSecret(stored, rowA, keys));
    expect(err.message).not.toContain('\n');
    expect(err.message).not.toContain('\u001b');
    expect(err.kekVersion).toBe(JSON.stringify('v1\n\u001b[31mforged'));
  });

  it('treats a malformed AAD as a bug', () => {
    expect(() => encryptSecret(CANARY, { ...rowA, version: 0 }, keys)).toThrow(TypeError);
    expect(() => encryptSecret(CANARY, { ...rowA, secretId: '' }, keys)).toThrow(TypeError);
  });

  it('never repeats a nonce in 100,000 encryptions', () => {
    const nonces = new Set<string>();
    const wrapNonces = new Set<string>();
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const stored = encryptSecret('v', rowA, keys);
      nonces.add(stored.nonce);
      wrapNonces.add(Buffer.from(stored.wrapped_dek, 'base64').toString('hex', 1, 13));
    }
    expect(nonces.size).toBe(n);
    expect(wrapNonces.size).toBe(n);
  }, 60_000);
});

describe('rewrapSecret', () => {
  it('moves the data key to the newest master key without touching the value ciphertext', () => {
    const stored = encryptSecret(CANARY, rowA, ring(['v1', v1]));
    const rotated = ring(['v2', v2], ['v1', v1]);
    const rewrapped = rewrapSecret(stored, rowA, rotated);
    expect(rewrapped.kek_version).toBe('v2');
    expect(rewrapped.wrapped_dek).not.toBe(stored.wrapped_dek);
    expect({ nonce: rewrapped.nonce, tag: rewrapped.tag, ciphertext: rewrapped.ciphertext }).toEqual({
      nonce: stored.nonce,
      tag: stored.tag,
      ciphertext: stored.ciphertext,
    });
    const onlyNew = ring(['v2', v2]);
    expect(decryptSecret(rewrapped, rowA, onlyNew)).toBe(CANARY);
    expect(cryptoError(() => decryptSecret(stored, rowA, onlyNew)).code).toBe('unknown_kek_version');
  });

  it('can run again on an already re-wrapped row (resumable)', () => {
    const rotated = ring(['v2', v2], ['v1', v1]);
    const once = rewrapSecret(encryptSecret(CANARY, rowA, ring(['v1', v1])), rowA, rotated);
    const twice = rewrapSecret(once, rowA, rotated);
    expect(twice.kek_version).toBe('v2');
    expect(decryptSecret(twice, rowA, ring(['v2', v2]))).toBe(CANARY);
  });

  it('refuses a row whose data key cannot be unwrapped', () => {
    const stored = encryptSecret(CANARY, rowA, ring(['v1', v1]));
    expect(cryptoError(() => rewrapSecret(stored, rowA, ring(['v2', v2]))).code).toBe('unknown_kek_version');
    expect(cryptoError(() => rewrapSecret(stored, rowB, ring(['v2', v2], ['v1', v1]))).code).toBe('decryption_failed');
    const wrongV1 = ring(['v2', v2], ['v1', randomBytes(32)]);
    expect(cryptoError(() => rewrapSecret(stored, rowA, wrongV1)).message).toContain('wrong master key v1');
  });

  it('carries damage to the value fields over, to be caught at decrypt', () => {
    const stored = encryptSecret(CANARY, rowA, ring(['v1', v1]));
    const tampered = { ...stored, ciphertext: flipBit(Buffer.from(stored.ciphertext, 'base64'), 3).toString('base64') };
    const rewrapped = rewrapSecret(tampered, rowA, ring(['v2', v2], ['v1', v1]));
    expect(cryptoError(() => decryptSecret(rewrapped, rowA, ring(['v2', v2]))).code).toBe('decryption_failed');
  });
});
