import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** The header an instance puts on a request it forwards to another (docs/DEPLOYMENT.md, "Forwarding"). */
export const FORWARDED_HEADER = 'x-mcps-forwarded';

/** How old (or how far in the future) a forwarded request may be: forwarding takes milliseconds. */
const MAX_SKEW_MS = 60_000;

export interface ForwardClaim {
  /** The instance that forwarded it. */
  from: string;
  /** The caller's address as the first instance saw it (recorded in the audit log). */
  ip: string;
  /** Epoch ms when it was signed. */
  at: number;
}

/**
 * Signs and checks the forwarded-request header. The key is derived (HKDF-SHA256) from SECRET_KEY,
 * which every instance of a cluster shares already (it signs the login tokens): no new secret to
 * distribute, and none a client could know. The signature covers the method and the URL, so a header
 * seen once is worth nothing on another request, and expires after a minute.
 *
 * What it protects: the receiving instance serves a signed request itself (it never forwards it
 * again) and records the caller's address from the claim. It grants nothing else: the request carries
 * the caller's own credentials, which the receiving instance authenticates and checks as usual.
 */
export function createForwardSigner(secretKey: string) {
  const key = Buffer.from(hkdfSync('sha256', secretKey, 'mcps.one', 'cluster request forwarding v1', 32));
  const mac = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');
  return {
    sign(method: string, url: string, claim: ForwardClaim): string {
      const payload = Buffer.from(JSON.stringify({ ...claim, m: method.toUpperCase(), u: url })).toString('base64url');
      return `v1.${payload}.${mac(payload)}`;
    },
    /** The claim of a header signed for this method and URL within the last minute, or why not. */
    verify(header: string, method: string, url: string, now = Date.now()): { ok: true; claim: ForwardClaim } | { ok: false; reason: string } {
      const [version, payload, signature, ...rest] = header.split('.');
      if (version !== 'v1' || !payload || !signature || rest.length > 0) return { ok: false, reason: 'malformed' };
      const expected = Buffer.from(mac(payload));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad signature' };
      let body: { from?: unknown; ip?: unknown; at?: unknown; m?: unknown; u?: unknown };
      try {
        body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof body;
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      if (body.m !== method.toUpperCase() || body.u !== url) return { ok: false, reason: 'signed for another request' };
      if (typeof body.at !== 'number' || Math.abs(now - body.at) > MAX_SKEW_MS) return { ok: false, reason: 'expired' };
      if (typeof body.from !== 'string' || typeof body.ip !== 'string') return { ok: false, reason: 'malformed' };
      return { ok: true, claim: { from: body.from, ip: body.ip, at: body.at } };
    },
  };
}

export type ForwardSigner = ReturnType<typeof createForwardSigner>;
