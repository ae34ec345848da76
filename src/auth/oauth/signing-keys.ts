import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { AppError } from '../../http/app-error.js';
import { SYSTEM_CALLER } from '../../secrets/secret-caller.js';
import type { SecretsService } from '../../secrets/secrets.service.js';

/** The secret holding the authorization server's private signing keys (a JSON array of JWKs). */
export const SIGNING_KEYS_SECRET = 'mcps.oauth.signing-keys';
const DESCRIPTION = 'Private signing keys of the OAuth authorization server (/oauth). Managed by the platform: rotate it (any value) to have new keys generated.';
const REASON = 'OAuth authorization server start';
const ATTEMPTS = 3;

export interface SigningKeys {
  keys: JWK[];
  /** The secret's version holding them. */
  version: number;
}

export type SigningKeySecrets = Pick<SecretsService, 'get' | 'reveal' | 'create' | 'update' | 'restore'>;

/**
 * The authorization server's private signing keys (ES256 and RS256), kept as a platform-managed secret
 * so the secrets domain protects them like any other: envelope-encrypted under the master key,
 * re-wrapped by `mcps secrets rewrap`, carried by backups, every read and write audited. Read when OAuth
 * is first used, never at start. Generated when missing; generated again, as a new version, when the
 * secret was deleted or holds something that is not a key set (an operator rotated it to start over).
 * A key set that cannot be decrypted (a master key missing from the ring) is an `unavailable` error
 * saying what to do; it is never replaced, since the right master key brings it back.
 * Instances sharing a database agree: a lost race for the first write re-reads the winner's keys.
 */
export async function loadSigningKeys(secrets: SigningKeySecrets): Promise<SigningKeys> {
  for (let attempt = 1; ; attempt++) {
    try {
      const current = await read(secrets);
      if (current.keys) return { keys: current.keys, version: current.version! };
      const keys = await generate();
      const value = JSON.stringify(keys);
      const written =
        current.version === null
          ? await secrets.create({ name: SIGNING_KEYS_SECRET, value, description: DESCRIPTION, tags: ['oauth', 'managed'] }, SYSTEM_CALLER)
          : await secrets.update(SIGNING_KEYS_SECRET, { value, cas: current.version }, SYSTEM_CALLER);
      return { keys, version: written.current_version };
    } catch (err) {
      // Another instance wrote first: read its keys.
      if (attempt < ATTEMPTS && err instanceof AppError && err.code === 'conflict') continue;
      throw err;
    }
  }
}

/** The stored key set; `keys: null` when there is none to use (with the version to replace, if any). */
async function read(secrets: SigningKeySecrets): Promise<{ keys: JWK[] | null; version: number | null }> {
  const found = await secrets.get(SIGNING_KEYS_SECRET, SYSTEM_CALLER).catch((err: unknown) => {
    if (err instanceof AppError && err.code === 'not_found') return null;
    throw err;
  });
  if (!found) return { keys: null, version: null };
  // Deleted: brought back, to be replaced by a new version.
  if (found.deleted_at !== null) return { keys: null, version: (await secrets.restore(SIGNING_KEYS_SECRET, SYSTEM_CALLER)).current_version };
  try {
    const revealed = await secrets.reveal(SIGNING_KEYS_SECRET, { reason: REASON }, SYSTEM_CALLER);
    return { keys: parseKeySet(revealed.value), version: revealed.version };
  } catch (err) {
    if (err instanceof AppError && err.code === 'internal' && err.details?.['reason'] !== undefined) throw undecryptable(err);
    throw err;
  }
}

function undecryptable(err: AppError): AppError {
  return new AppError(
    'unavailable',
    `OAuth is unavailable: its signing keys (secret '${SIGNING_KEYS_SECRET}') cannot be decrypted: ${err.message}. ` +
      `Configure the master key they were written under (MCPS_MASTER_KEYS), or rotate the secret to have new keys generated.`,
    { secret: SIGNING_KEYS_SECRET, reason: err.details?.['reason'], kek_version: err.details?.['kek_version'] },
  );
}

/** The key set in a secret value, or null if the value is not one (two private JWKs with kid and alg). */
function parseKeySet(value: string): JWK[] | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return null;
  const ok = parsed.every((k: unknown) => typeof k === 'object' && k !== null && typeof (k as JWK).kid === 'string' && typeof (k as JWK).alg === 'string' && typeof (k as JWK).d === 'string');
  return ok ? (parsed as JWK[]) : null;
}

async function generate(): Promise<JWK[]> {
  const out: JWK[] = [];
  for (const alg of ['ES256', 'RS256'] as const) {
    const { privateKey } = await generateKeyPair(alg, { extractable: true });
    const jwk = await exportJWK(privateKey);
    out.push({ ...jwk, alg, use: 'sig', kid: `${alg.toLowerCase()}-${Date.now().toString(36)}` });
  }
  return out;
}
