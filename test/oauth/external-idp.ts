import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import Provider from 'oidc-provider';
import { Agent, fetch as undiciFetch } from 'undici';

export interface ExternalIdp {
  issuer: string;
  /** The id of its signing key, published in its JWKS. */
  kid: string;
  /** An access token for `resource` (client credentials), carrying `claims`. */
  token(resource: string): Promise<string>;
  /** A JWT with exactly `claims`, signed by this issuer's key (named `kid`, its own unless given). */
  sign(claims: Record<string, unknown>, kid?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * A second oidc-provider on 127.0.0.1: the external authorization server of delegate mode (as Keycloak
 * or Entra ID would be). Tokens are JWTs signed by a fresh ES256 key; `claims` are added to each.
 */
export async function startExternalIdp(port: number, claims: Record<string, unknown>): Promise<ExternalIdp> {
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: `k-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}` };
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'svc', client_secret: 'svc-secret-for-tests-only', grant_types: ['client_credentials'], redirect_uris: [], response_types: [], id_token_signed_response_alg: 'ES256' }],
    jwks: { keys: [jwk] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo: async (_ctx: unknown, resource: string) => ({ scope: 'mcp', audience: resource, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }),
      },
    },
    extraTokenClaims: async () => claims,
  });
  const server: Server = createServer(provider.callback());
  // Its own connection pool, closed with it: a restarted issuer on the same port gets fresh connections.
  const agent = new Agent();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    kid: jwk.kid,
    sign: (claims, kid = jwk.kid) => new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' }).sign(privateKey),
    async token(resource: string) {
      const res = await undiciFetch(`${issuer}/token`, {
        dispatcher: agent,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('svc:svc-secret-for-tests-only').toString('base64')}` },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'mcp', resource }).toString(),
      });
      const body = (await res.json()) as { access_token?: string; error_description?: string };
      if (!body.access_token) throw new Error(`external token refused: ${body.error_description}`);
      return body.access_token;
    },
    close: async () => {
      await agent.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
