import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';

export interface CraftedIdp {
  issuer: string;
  /** What the token endpoint answers with next (set by each test: a valid token, or a crafted one). */
  idToken: () => Promise<string>;
  /** A valid ID token for `nonce`, with `patch` over its claims (undefined values remove a claim). */
  sign(nonce: string, patch?: Record<string, unknown>, header?: { alg?: string; kid?: string }): Promise<string>;
  close(): Promise<void>;
}

/**
 * A deliberately dishonest OpenID provider on 127.0.0.1 for the refusal tests: a genuine discovery
 * document and JWKS, and a token endpoint that answers whatever ID token the test crafted (wrong
 * audience, wrong issuer, expired, alg none, another nonce). oidc-provider would never issue those.
 */
export async function startCraftedIdp(port: number, clientId: string): Promise<CraftedIdp> {
  const issuer = `http://127.0.0.1:${port}`;
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = 'crafted-1';
  const jwk = { ...(await exportJWK(publicKey)), alg: 'ES256', use: 'sig', kid };
  const metadata = {
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256', 'none'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'none'],
  };
  const idp: CraftedIdp = {
    issuer,
    idToken: () => Promise.reject(new Error('the test set no ID token')),
    async sign(nonce, patch = {}, header = {}) {
      const now = Math.floor(Date.now() / 1000);
      const claims: JWTPayload = { iss: issuer, aud: clientId, sub: 'crafted-sub-1', nonce, iat: now, exp: now + 300, preferred_username: 'crafty', ...patch };
      for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
      if (header.alg === 'none') {
        const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        return `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
      }
      return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: header.kid ?? kid }).sign(privateKey);
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
  const server: Server = createServer((req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const url = new URL(req.url ?? '/', issuer);
    if (url.pathname === '/.well-known/openid-configuration') return json(200, metadata);
    if (url.pathname === '/jwks') return json(200, { keys: [jwk] });
    if (url.pathname === '/token' && req.method === 'POST') {
      req.resume();
      req.on('end', () => {
        void idp.idToken().then((id_token) => json(200, { access_token: 'crafted-access-token', token_type: 'Bearer', expires_in: 300, id_token }));
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return idp;
}
