import { hash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'mcps_';

/** A new API key: `mcps_` + 43 base64url characters (256 random bits). */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

/**
 * Keys are high-entropy, so a plain sha256 is a sound lookup hash (no password KDF needed). The
 * one-shot `crypto.hash` (every request with a key runs this): no Hash object made and dropped.
 */
export function hashApiKey(key: string): string {
  return hash('sha256', key, 'hex');
}

/** The part shown in lists: enough to recognise a key, far too little to use it. */
export function displayPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 6);
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith(API_KEY_PREFIX) && /^[A-Za-z0-9_-]{20,200}$/.test(value);
}
