import type { Logger } from 'pino';
import { AppError } from '../http/app-error.js';
import { decryptSecret, encryptSecret, rewrapSecret, type SecretAad, type StoredCiphertext } from './envelope.js';
import type { MasterKeyRing } from './master-keys.js';
import { SecretCryptoError, type SecretCryptoErrorCode } from './secret-crypto-error.js';
import type { SecretVersionRow } from './secret.table.js';

export interface CryptoFailureCounts {
  total: number;
  unknown_kek_version: number;
  decryption_failed: number;
}

/**
 * The envelope functions bound to the master key ring, turning a crypto failure (wrong or missing
 * master key, tampered row) into an AppError that names the secret, the version and the master key
 * version, counting it and logging a warning. Nothing here ever puts a value into a message.
 */
export function createSecretDecryptor(deps: { ring: MasterKeyRing; log?: Logger | undefined }) {
  const counts: Record<SecretCryptoErrorCode, number> = { unknown_kek_version: 0, decryption_failed: 0 };

  function failed(err: unknown, aad: SecretAad): never {
    if (!(err instanceof SecretCryptoError)) throw err;
    counts[err.code] += 1;
    deps.log?.warn({ secret_name: aad.name, secret_version: aad.version, kek_version: err.kekVersion, crypto_error: err.code }, 'secret decryption failed');
    throw new AppError('internal', `Secret '${aad.name}' version ${aad.version} cannot be decrypted: ${err.message}`, {
      secret: aad.name,
      version: aad.version,
      kek_version: err.kekVersion,
      reason: err.code,
    });
  }

  return {
    encrypt(value: string, aad: SecretAad): StoredCiphertext {
      return encryptSecret(value, aad, deps.ring);
    },

    decrypt(row: SecretVersionRow, aad: SecretAad): string {
      try {
        return decryptSecret(storedOf(row), aad, deps.ring);
      } catch (err) {
        failed(err, aad);
      }
    },

    /** The version's data key wrapped under the ring's newest master key; the value stays encrypted. */
    rewrap(row: SecretVersionRow, aad: SecretAad): StoredCiphertext {
      try {
        return rewrapSecret(storedOf(row), aad, deps.ring);
      } catch (err) {
        failed(err, aad);
      }
    },

    get currentKekVersion(): string {
      return deps.ring.currentVersion;
    },

    failures(): CryptoFailureCounts {
      return { total: counts.unknown_kek_version + counts.decryption_failed, ...counts };
    },
  };
}

export type SecretDecryptor = ReturnType<typeof createSecretDecryptor>;

/** A destroyed version has no ciphertext; callers check `destroyed_at` first, so this is a bug guard. */
function storedOf(row: SecretVersionRow): StoredCiphertext {
  const { kek_version, wrapped_dek, nonce, tag, ciphertext } = row;
  if (wrapped_dek === null || nonce === null || tag === null || ciphertext === null)
    throw new Error(`secret version ${row.version} has no ciphertext (destroyed)`);
  return { kek_version, wrapped_dek, nonce, tag, ciphertext };
}
