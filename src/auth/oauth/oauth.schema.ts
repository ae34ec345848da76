import { z } from 'zod';
import { problems } from '../../http/problem.schema.js';

/**
 * What the OpenAPI document says of the authorization server's endpoints (oidc-provider answers them;
 * these schemas document, the provider validates). Objects are loose: the provider may add members.
 */

export const protectedResourceMetadata = z.object({
  resource: z.string(),
  authorization_servers: z.array(z.string()),
  scopes_supported: z.array(z.string()),
  bearer_methods_supported: z.array(z.string()),
  resource_name: z.string(),
});

/** RFC 6749 section 5.2 / RFC 7591 section 3.2.2. */
const oauthError = z.looseObject({ error: z.string(), error_description: z.string().optional() }).describe('An OAuth error (RFC 6749 section 5.2): error and error_description');

const authorizationServerMetadata = z.looseObject({
  issuer: z.string(),
  authorization_endpoint: z.string(),
  token_endpoint: z.string(),
  jwks_uri: z.string(),
  registration_endpoint: z.string().optional(),
  revocation_endpoint: z.string().optional(),
  response_types_supported: z.array(z.string()),
  code_challenge_methods_supported: z.array(z.string()).optional(),
  authorization_response_iss_parameter_supported: z.boolean().optional(),
});

const jwks = z.object({ keys: z.array(z.looseObject({ kty: z.string(), kid: z.string().optional(), alg: z.string().optional() })) });

const tokenRequest = z.object({
  grant_type: z.enum(['authorization_code', 'refresh_token']),
  client_id: z.string(),
  code: z.string().optional(),
  redirect_uri: z.string().optional(),
  code_verifier: z.string().optional().describe('PKCE (S256): required with a code'),
  refresh_token: z.string().optional(),
  resource: z.string().optional().describe('RFC 8707: /mcp or /mcp/{server} of this platform'),
});

const tokenResponse = z.looseObject({
  access_token: z.string(),
  token_type: z.string(),
  expires_in: z.number().optional(),
  refresh_token: z.string().optional(),
  scope: z.string().optional(),
});

const clientMetadata = z.looseObject({
  redirect_uris: z.array(z.string()),
  client_name: z.string().optional(),
  grant_types: z.array(z.string()).optional(),
  response_types: z.array(z.string()).optional(),
  token_endpoint_auth_method: z.string().optional(),
});

const clientInformation = z.looseObject({ client_id: z.string(), redirect_uris: z.array(z.string()).optional(), client_name: z.string().optional() });

const revocationRequest = z.object({ token: z.string(), token_type_hint: z.string().optional(), client_id: z.string() });

const unavailable = problems('unavailable');
const tags = ['oauth'];
const form = ['application/x-www-form-urlencoded'];

/** The documented endpoints, by method and path: each is public and handed to the provider. */
export const AUTHORIZATION_SERVER_ROUTES = [
  {
    method: 'GET',
    url: '/.well-known/oauth-authorization-server/oauth',
    path: '/.well-known/openid-configuration',
    schema: { tags, summary: 'OAuth Authorization Server Metadata (RFC 8414)', response: { 200: authorizationServerMetadata, ...unavailable } },
  },
  { method: 'GET', url: '/oauth/jwks', path: '/jwks', schema: { tags, summary: 'The authorization server\u2019s public signing keys (JWKS)', response: { 200: jwks, ...unavailable } } },
  {
    method: 'POST',
    url: '/oauth/token',
    path: '/token',
    schema: { tags, summary: 'Token endpoint: authorization code with PKCE, refresh token (rotated)', consumes: form, body: tokenRequest, response: { 200: tokenResponse, 400: oauthError, 401: oauthError, ...unavailable } },
  },
  {
    method: 'POST',
    url: '/oauth/reg',
    path: '/reg',
    schema: { tags, summary: 'Dynamic Client Registration (RFC 7591)', body: clientMetadata, response: { 201: clientInformation, 400: oauthError, ...unavailable } },
  },
  {
    method: 'POST',
    url: '/oauth/token/revocation',
    path: '/token/revocation',
    schema: { tags, summary: 'Token revocation (RFC 7009)', consumes: form, body: revocationRequest, response: { 200: z.null().describe('Revoked (or unknown: the same answer)'), 400: oauthError, 401: oauthError, ...unavailable } },
  },
] as const;
