import { isSensitiveKey } from './sensitive-keys.js';

export const MASK = '********';

/** `postgres://u:pw@h/db?password=x` -> `postgres://u:********@h/db?password=********`; other text as is. */
export function maskUrl(text: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
  try {
    const u = new URL(text);
    let changed = false;
    if (u.password) {
      u.password = MASK;
      changed = true;
    }
    for (const key of [...u.searchParams.keys()]) {
      if (isSensitiveKey(key)) {
        u.searchParams.set(key, MASK);
        changed = true;
      }
    }
    return changed ? u.toString() : text;
  } catch {
    return text.replace(/\/\/([^:/@]+):[^@]*@/, `//$1:${MASK}@`);
  }
}

/**
 * SECRET_KEY, MCPS_MASTER_KEY(S), *_PASSWORD, *_TOKEN, *_SECRET, webhook URLs...: configuration names
 * whose values are never shown. (Not MCPS_SECRET_MAX_VERSIONS: the name's last word decides.)
 */
export function isSecretSettingName(name: string): boolean {
  return /(^|_)(KEYS?|TOKENS?|PASSWORD|PASSWD|PASS|SECRET|CREDENTIALS?)$/i.test(name) || /PASSWORD|WEBHOOK/i.test(name);
}

/** A configuration value as it may be shown: secrets masked (null when unset), URL credentials masked. */
export function maskSettingValue(name: string, value: unknown): unknown {
  if (value === undefined) return null;
  if (isSecretSettingName(name)) return MASK;
  if (typeof value === 'string') return maskUrl(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? maskUrl(v) : v));
  return value;
}
