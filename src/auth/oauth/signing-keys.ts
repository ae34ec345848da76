import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.js';
import { decryptSecret, encryptSecret, type SecretAad, type StoredCiphertext } from '../../secrets/envelope.js';
import type { MasterKeyRing } from '../../secrets/master-keys.js';

const MODEL = 'SigningKeys';
const ID = 'current';
/** The AAD binds the ciphertext to this one use: it cannot be moved into a secret, nor a secret here. */
const AAD: SecretAad = { secretId: 'oauth-signing-keys', name: 'oauth.signing_keys', version: 1 };

/**
 * The authorization server's private signing keys (ES256 and RS256), generated on first start and kept
 * in `oauth_store` encrypted under the master key (the secrets domain's envelope). Instances sharing a
 * database share them: the first to insert wins, the others read its keys.
 */
export async function loadSigningKeys(db: Kysely<Database>, ring: MasterKeyRing): Promise<JWK[]> {
  const existing = await read();
  if (existing) return existing;
  const keys = await generate();
  const sealed = encryptSecret(JSON.stringify(keys), AAD, ring);
  await db
    .insertInto('oauth_store')
    .values({ model: MODEL, id: ID, payload: JSON.stringify(sealed), grant_id: null, user_code: null, uid: null, expires_at: null, consumed_at: null })
    .onConflict((oc) => oc.columns(['model', 'id']).doNothing())
    .execute();
  return (await read())!;

  async function read(): Promise<JWK[] | null> {
    const row = await db.selectFrom('oauth_store').select('payload').where('model', '=', MODEL).where('id', '=', ID).executeTakeFirst();
    return row ? (JSON.parse(decryptSecret(JSON.parse(row.payload) as StoredCiphertext, AAD, ring)) as JWK[]) : null;
  }
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
