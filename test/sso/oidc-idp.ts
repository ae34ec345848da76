import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export interface OidcIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

/**
 * oidc-provider on 127.0.0.1 as the external identity provider people sign in with (as Keycloak or
 * Entra ID would be), built like test/oauth/external-idp.ts but for the authorization code flow: its
 * development sign-in pages accept any login name, and `accounts` gives each name its claims (groups,
 * email). `platformBase` is where the platform runs: its callback is the registered redirect URI.
 */
export async function startOidcIdp(port: number, opts: { platformBase: string; providerName: string; accounts: Record<string, Record<string, unknown>> }): Promise<OidcIdp> {
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'ES256', use: 'sig', kid: `sso-${Date.now().toString(36)}` };
  const clientId = 'mcps-console';
  const clientSecret = 'console-secret-for-tests-only';
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [`${opts.platformBase}/api/v1/auth/sso/${opts.providerName}/callback`],
      post_logout_redirect_uris: [`${opts.platformBase}/`],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: 'ES256',
    }],
    jwks: { keys: [jwk] },
    cookies: { keys: ['sso-test-cookie-key'] },
    scopes: ['openid', 'profile', 'email', 'groups'],
    claims: { openid: ['sub'], profile: ['preferred_username', 'name'], email: ['email', 'email_verified'], groups: ['groups'] },
    // The claims in the ID token itself (the platform reads no userinfo).
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    findAccount: async (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: async () => ({ sub: `sub-${id}`, preferred_username: id, ...(opts.accounts[id] ?? {}) }),
    }),
  });
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    clientId,
    clientSecret,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
