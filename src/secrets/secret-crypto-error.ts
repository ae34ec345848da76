/**
 * A secret could not be decrypted or re-wrapped. Not an AppError: the service catches it, counts and
 * audits it, and answers the caller with its own AppError. The message names the master key version and
 * never contains plaintext, key material or ciphertext.
 *
 * - `unknown_kek_version`: the row was wrapped under a master key version that is not configured.
 * - `decryption_failed`: authentication failed (wrong master key for that version, or the row or its
 *   AAD was changed) or the stored fields are malformed.
 */
export type SecretCryptoErrorCode = 'unknown_kek_version' | 'decryption_failed';

export class SecretCryptoError extends Error {
  override name = 'SecretCryptoError';
  constructor(
    readonly code: SecretCryptoErrorCode,
    /** The version as stored in the row, made printable (it may itself have been tampered with). */
    readonly kekVersion: string,
    message: string,
  ) {
    super(message);
  }
}
