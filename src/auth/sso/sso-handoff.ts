import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Single sign-on for the authorization server's sign-in page (`/oauth/interaction/{uid}`): the only
 * place a sign-in may return to, and the short-lived signed marker the SSO callback hands the
 * interaction. The marker names the user and the interaction, is HttpOnly, lives on that interaction's
 * path only, expires in two minutes, and is checked with an HMAC under a key derived from SECRET_KEY;
 * the interaction's own cookie (set by oidc-provider) still ties the step to the browser that started it.
 */
export const RETURN_PATTERN = /^\/oauth\/interaction\/([A-Za-z0-9_-]{1,128})$/;
export const MARKER_COOKIE = 'mcps_sso_oauth';
export const MARKER_TTL_SECONDS = 120;

/** The interaction uid of a return target, or null unless it is exactly this platform's `/oauth/interaction/<uid>`. */
export function interactionOfReturn(target: string | undefined | null): string | null {
  const m = target ? RETURN_PATTERN.exec(target) : null;
  return m ? m[1]! : null;
}

export function createSsoHandoff(secretKey: string) {
  const key = createHash('sha256').update(`mcps-one/sso-oauth-handoff/v1\0${secretKey}`).digest();
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

  return {
    /** The marker value for `userId` finishing the sign-in step of interaction `uid`. */
    sign(uid: string, userId: string, now = Date.now()): string {
      const payload = `${uid}.${userId}.${Math.floor(now / 1000) + MARKER_TTL_SECONDS}`;
      return `${payload}.${mac(payload)}`;
    },
    /** The user id the marker vouches for on interaction `uid`, or null (forged, expired, another interaction). */
    verify(value: string | undefined, uid: string, now = Date.now()): string | null {
      if (!value) return null;
      const parts = value.split('.');
      if (parts.length !== 4) return null;
      const [markUid, userId, exp, sig] = parts as [string, string, string, string];
      const expected = Buffer.from(mac(`${markUid}.${userId}.${exp}`));
      const given = Buffer.from(sig);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      if (markUid !== uid || !/^\d+$/.test(exp) || Number(exp) * 1000 < now) return null;
      return userId;
    },
  };
}

export type SsoHandoff = ReturnType<typeof createSsoHandoff>;
