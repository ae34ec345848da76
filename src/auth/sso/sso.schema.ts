import { z } from 'zod';
import { secretRef } from '../../secrets/secret-ref-schema.js';
import { roleSchema } from '../auth.schema.js';

export const providerName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, - and _ (at most 63)')
  .refine((n) => n !== 'providers', "'providers' is reserved")
  .describe('Part of the redirect URI registered at the provider: {public URL}/api/v1/auth/sso/{name}/callback');

const claimPath = z.string().regex(/^[A-Za-z0-9_:/.-]{1,200}$/, 'a claim name, or a dotted path such as realm_access.roles');

const providerFields = {
  display_name: z.string().trim().min(1).max(100).describe('Shown on the sign-in button: "Sign in with {display_name}"'),
  issuer: z.url().max(500).describe('The issuer URL; its /.well-known/openid-configuration is read through the outbound guard'),
  client_id: z.string().min(1).max(300),
  client_secret: secretRef.nullable().optional().describe('A ${secret:NAME} reference; null or absent: a public client (PKCE only)'),
  scopes: z.string().max(500).regex(/(^|\s)openid(\s|$)/, 'must include openid').optional().describe('Space-separated (default: openid profile email)'),
  username_claim: claimPath.optional().describe('The ID token claim naming a new user (default preferred_username)'),
  groups_claim: claimPath.nullable().optional().describe('The claim whose values role_map maps onto roles (e.g. groups, roles, realm_access.roles)'),
  role_map: z.record(z.string().min(1).max(300), roleSchema).optional().describe('Claim value -> role; the highest mapped role wins'),
  default_role: roleSchema.optional().describe('The role when no value maps (default viewer)'),
  link_by_email: z.boolean().optional().describe('Link to a local user whose username is the verified email (email_verified true); default false'),
  enabled: z.boolean().optional(),
};

export const createProviderBody = z.object({ name: providerName, ...providerFields }).strict();
export const updateProviderBody = z.object(providerFields).partial().strict();
export const providerParams = z.object({ name: providerName });

export const providerView = z
  .object({
    id: z.string(),
    name: z.string(),
    display_name: z.string(),
    issuer: z.string(),
    client_id: z.string(),
    client_secret: z.string().nullable(),
    scopes: z.string(),
    username_claim: z.string(),
    groups_claim: z.string().nullable(),
    role_map: z.record(z.string(), roleSchema),
    default_role: roleSchema,
    link_by_email: z.boolean(),
    enabled: z.boolean(),
    redirect_uri: z.string().describe('Register it at the provider'),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'SsoProvider' });

export const providerList = z.object({ items: z.array(providerView) });

export const signInOptions = z.object({
  local_passwords: z.boolean().describe('False: the password sign-in is turned off (setting auth.local_passwords)'),
  providers: z.array(z.object({ name: z.string(), display_name: z.string(), start_url: z.string() })),
});

export const startQuery = z.object({
  return_to: z.string().max(300).optional().describe('Only `/oauth/interaction/<id>`: the authorization server\'s sign-in page this sign-in returns to'),
});

export const callbackQuery = z
  .object({
    code: z.string().max(2000).optional(),
    state: z.string().max(200).optional(),
    iss: z.string().max(500).optional(),
    error: z.string().max(200).optional(),
    error_description: z.string().max(1000).optional(),
    session_state: z.string().max(500).optional(),
  })
  .describe('The authorization response (RFC 6749 4.1.2, RFC 9207 iss)');

export const logoutResponse = z.object({ end_session_url: z.string().nullable().describe('Open it to end the session at the provider too (RP-initiated logout); null when there is none') });

export type CreateProviderInput = z.infer<typeof createProviderBody>;
export type UpdateProviderInput = z.infer<typeof updateProviderBody>;
export type ProviderView = z.infer<typeof providerView>;
