import { createHash, createSecretKey } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { AppError } from '../http/app-error.js';

export interface AccessTokenClaims {
  sub: string;
  iat: number;
  exp: number;
  /**
   * The user's `password_changed_at` when the token was issued: the password generation it belongs
   * to. A token is valid only while it equals the user's current value (exact, unlike a whole-second iat).
   */
  pwd: string;
}

/** What a token is issued for: the user and the password generation it is bound to. */
export interface TokenSubject {
  id: string;
  password_changed_at: string;
}

const ISSUER = 'mcps-one';
/** Verified tokens remembered (until they expire) so a busy client does not pay a WebCrypto HMAC per request. */
const VERIFIED_CACHE_SIZE = 10_000;
const AUDIENCE = 'mcps-one-api';

/** Signs and verifies HS256 access tokens keyed by SECRET_KEY. */
export function createTokenService(secretKey: string, expireMinutes: number) {
  // A derived key, so SECRET_KEY itself is never used directly as a MAC key for more than one purpose.
  // A KeyObject, not raw bytes, so jose does not import a new WebCrypto key on every call.
  const key = createSecretKey(createHash('sha256').update(`mcps-one/jwt/v1\0${secretKey}`).digest());

  // token string -> its verified claims. The signature covers every byte of the string, so an exact
  // match of a string verified before needs no second check; only expiry can change.
  const verified = new Map<string, AccessTokenClaims>();

  return {
    expiresInSeconds: expireMinutes * 60,

    async sign(user: TokenSubject): Promise<string> {
      return new SignJWT({ pwd: user.password_changed_at })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${expireMinutes}m`)
        .sign(key);
    },

    async verify(token: string): Promise<AccessTokenClaims> {
      const known = verified.get(token);
      if (known) {
        if (known.exp * 1000 > Date.now()) return known;
        verified.delete(token);
        throw new AppError('unauthorized', 'access token expired');
      }
      const claims = await verifySignature(token);
      if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
      verified.set(token, claims);
      return claims;
    },
  };

  async function verifySignature(token: string): Promise<AccessTokenClaims> {
    try {
      const { payload } = await jwtVerify(token, key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      const { sub, iat, exp, pwd } = payload;
      if (typeof sub !== 'string' || typeof iat !== 'number' || typeof exp !== 'number' || typeof pwd !== 'string') {
        throw new AppError('unauthorized', 'invalid access token');
      }
      return { sub, iat, exp, pwd };
    } catch (err) {
      if (err instanceof AppError) throw err;
      if (err instanceof errors.JWTExpired) throw new AppError('unauthorized', 'access token expired');
      throw new AppError('unauthorized', 'invalid access token');
    }
  }
}

export type TokenService = ReturnType<typeof createTokenService>;
