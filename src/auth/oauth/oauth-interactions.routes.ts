import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { InteractionDetails } from 'oidc-provider';
import { AppError } from '../../http/app-error.js';
import type { AuditLog } from '../../logs/audit-log.js';
import type { AuthService } from '../auth.service.js';
import { MARKER_COOKIE, type SsoHandoff } from '../sso/sso-handoff.js';
import type { SsoRuntime } from '../sso/sso-runtime.js';
import type { UserRepository } from '../user.repository.js';
import type { AuthorizationServer } from './authorization-server.js';
import { MCP_ADMIN_SCOPE, MCP_SCOPE, reachOf, SERVER_SCOPE_PREFIX, serverScopesIn, type McpResources } from './mcp-resources.js';
import { consentPage, loginPage, pageCsp, type SsoLink } from './oauth-pages.js';
import { OAUTH_MOUNT } from './oauth-provider.js';

const SCOPE_MEANINGS: Record<string, string> = {
  [MCP_SCOPE]: 'list and call the tools, prompts and resources of the MCP servers you may use (at most the operator role)',
  [MCP_ADMIN_SCOPE]: 'the same with your full role (administrator tools of the platform, if you are an administrator)',
  offline_access: 'stay connected: renew its access without asking you again',
  openid: 'know your user id',
};
/** What a scope means on the consent page; `mcp:server:<name>` ones limit the others to that server. */
const meaningOf = (scope: string): string =>
  SCOPE_MEANINGS[scope] ?? (scope.startsWith(SERVER_SCOPE_PREFIX) ? `only the MCP server ${scope.slice(SERVER_SCOPE_PREFIX.length)} (as the operator role at most, unless mcp:admin is asked too)` : 'unknown scope');
const FORM_LIMIT = 8 * 1024;
/** The refusals of the password form shown on the page (status, sentence); anything else is an error. */
const LOGIN_ERRORS: Record<string, [number, string]> = {
  unauthorized: [401, 'Wrong username or password.'],
  rate_limited: [429, 'Too many failed sign-ins; try again later.'],
  forbidden: [403, 'Password sign-in is turned off on this platform: sign in with single sign-on.'],
};

export interface InteractionRouteDeps {
  server: AuthorizationServer;
  auth: Pick<AuthService, 'checkPassword'>;
  users: Pick<UserRepository, 'findById'>;
  audit: Pick<AuditLog, 'record'>;
  /** Which servers a resource names (the consent page says which servers the token will reach). */
  resources: Pick<McpResources, 'serversOf'>;
  projectName: string;
  /** The single sign-on providers offered beside (or instead of) the password form. */
  sso: Pick<SsoRuntime, 'providers' | 'localPasswords'>;
  /** Checks the marker the SSO callback hands back to this page. */
  handoff: SsoHandoff;
  apiPrefix: string;
}

/**
 * The authorization server's sign-in and consent pages (`/oauth/interaction/{uid}`): the platform's own
 * users and passwords (same lockout as the API's login), then a consent screen naming the client, the
 * user, the scopes and the resource. The interaction cookie set by the provider ties the form to the
 * browser that started the flow. A person may instead sign in through a single sign-on provider: the
 * link starts the SSO flow with this page as its return target, and the callback comes back here with
 * a signed marker for this interaction (see sso-handoff.ts) that finishes the sign-in step.
 */
export async function oauthInteractionRoutes(app: FastifyInstance, deps: InteractionRouteDeps): Promise<void> {
  const base = (uid: string) => `${OAUTH_MOUNT}/interaction/${encodeURIComponent(uid)}`;
  const schema = { hide: true };
  // Forms are read by readForm (bounded); nothing is parsed before.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  app.get<{ Params: { uid: string } }>(`${OAUTH_MOUNT}/interaction/:uid`, { schema }, async (request, reply) => {
    const provider = await deps.server.get();
    const details = await detailsOf(provider, request, reply);
    if (details.prompt.name === 'login') {
      const marker = request.cookies?.[MARKER_COOKIE];
      if (marker === undefined) return html(reply, details, await login(provider, details));
      void reply.clearCookie(MARKER_COOKIE, { path: base(details.uid), httpOnly: true, sameSite: 'lax', secure: request.protocol === 'https' });
      const accountId = await ssoUserOf(marker, details, request);
      if (!accountId) {
        reply.code(401);
        return html(reply, details, await login(provider, details, 'The single sign-on did not complete for this sign-in (expired or not for this page); sign in again.'));
      }
      hijack(reply);
      await provider.interactionFinished(request.raw, reply.raw, { login: { accountId } }, { mergeWithLastSubmission: false });
      return reply;
    }
    return html(reply, details, await consent(provider, details));
  });

  app.post<{ Params: { uid: string } }>(`${OAUTH_MOUNT}/interaction/:uid/login`, { schema }, async (request, reply) => {
    const provider = await deps.server.get();
    const details = await detailsOf(provider, request, reply);
    const form = await readForm(request.raw);
    const username = form.get('username') ?? '';
    try {
      if (details.prompt.name !== 'login') throw new AppError('bad_request', 'this sign-in step is already done');
      const user = await deps.auth.checkPassword(username, form.get('password') ?? '', request.ip);
      hijack(reply);
      await provider.interactionFinished(request.raw, reply.raw, { login: { accountId: user.id } }, { mergeWithLastSubmission: false });
      return reply;
    } catch (err) {
      if (!(err instanceof AppError) || !Object.hasOwn(LOGIN_ERRORS, err.code)) throw err;
      const [status, error] = LOGIN_ERRORS[err.code]!;
      reply.code(status);
      return html(reply, details, await login(provider, details, error, username));
    }
  });

  app.post<{ Params: { uid: string } }>(`${OAUTH_MOUNT}/interaction/:uid/confirm`, { schema }, async (request, reply) => {
    const provider = await deps.server.get();
    const details = await detailsOf(provider, request, reply);
    const accountId = details.session?.accountId;
    if (details.prompt.name !== 'consent' || !accountId) throw new AppError('bad_request', 'nothing to consent to in this step');
    const clientId = String(details.params['client_id']);
    const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId, clientId });
    if (!grant) throw new AppError('bad_request', 'the grant of this sign-in is gone; start again');
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingResourceScopes?: Record<string, string[]> };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes.join(' '));
    const grantId = await grant.save();
    const user = await deps.users.findById(accountId);
    await deps.audit.record({
      actor: { type: 'user', id: accountId, name: user?.username ?? null },
      action: 'oauth.consent',
      target: { type: 'oauth_client', id: clientId },
      outcome: 'success',
      ip: request.ip,
      requestId: request.id,
      details: { scope: details.params['scope'] ?? null, resource: details.params['resource'] ?? null },
    });
    hijack(reply);
    await provider.interactionFinished(request.raw, reply.raw, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return reply;
  });

  app.post<{ Params: { uid: string } }>(`${OAUTH_MOUNT}/interaction/:uid/abort`, { schema }, async (request, reply) => {
    const provider = await deps.server.get();
    await detailsOf(provider, request, reply);
    hijack(reply);
    await provider.interactionFinished(request.raw, reply.raw, { error: 'access_denied', error_description: 'the user denied the request' }, { mergeWithLastSubmission: false });
    return reply;
  });

  async function detailsOf(provider: Provider, request: FastifyRequest, reply: FastifyReply): Promise<InteractionDetails> {
    try {
      return await provider.interactionDetails(request.raw, reply.raw);
    } catch {
      throw new AppError('bad_request', 'this sign-in has expired or belongs to another browser; start again from the client');
    }
  }

  async function login(provider: Provider, details: InteractionDetails, error?: string, username?: string): Promise<string> {
    const returnTo = base(details.uid);
    const providers = (await deps.sso.providers.list()).items.filter((p) => p.enabled);
    const sso: SsoLink[] = providers.map((p) => ({ displayName: p.display_name, href: `${deps.apiPrefix}/auth/sso/${encodeURIComponent(p.name)}/start?return_to=${encodeURIComponent(returnTo)}` }));
    const action = deps.sso.localPasswords() ? `${returnTo}/login` : null;
    return loginPage({ projectName: deps.projectName, action, sso, clientName: await clientNameOf(provider, details), ...(error ? { error } : {}), ...(username ? { username } : {}) });
  }

  /** The user a single sign-on marker vouches for on this interaction, if it is valid and the user may sign in (audited either way). */
  async function ssoUserOf(marker: string, details: InteractionDetails, request: FastifyRequest): Promise<string | null> {
    const userId = deps.handoff.verify(marker, details.uid);
    const user = userId ? await deps.users.findById(userId) : undefined;
    const ok = !!user && !user.disabled_at;
    await deps.audit.record({
      actor: ok ? { type: 'user', id: user.id, name: user.username } : { type: 'anonymous' },
      action: 'oauth.login',
      target: { type: 'oauth_client', id: String(details.params['client_id']) },
      outcome: ok ? 'success' : 'failure',
      ip: request.ip,
      requestId: request.id,
      details: { method: 'sso', ...(ok ? {} : { reason: !userId ? 'invalid or expired single sign-on marker' : 'user unknown or disabled' }) },
    });
    return ok ? user.id : null;
  }

  async function clientNameOf(provider: Provider, details: InteractionDetails): Promise<string> {
    const client = await provider.Client.find(String(details.params['client_id']));
    return client?.clientName ?? String(details.params['client_id']);
  }

  async function consent(provider: Provider, details: InteractionDetails): Promise<string> {
    const user = details.session?.accountId ? await deps.users.findById(details.session.accountId) : undefined;
    const scopes = String(details.params['scope'] ?? '').split(' ').filter(Boolean);
    const resource = String(details.params['resource'] ?? '');
    return consentPage({
      projectName: deps.projectName,
      confirm: `${base(details.uid)}/confirm`,
      abort: `${base(details.uid)}/abort`,
      clientName: await clientNameOf(provider, details),
      clientId: String(details.params['client_id']),
      username: user?.username ?? '?',
      scopes: scopes.map((name) => ({ name, meaning: meaningOf(name) })),
      resource,
      reach: reachOf(deps.resources.serversOf(resource) ?? null, serverScopesIn(scopes).servers),
      redirectUri: String(details.params['redirect_uri'] ?? ''),
    });
  }
}

function html(reply: FastifyReply, details: InteractionDetails, body: string): FastifyReply {
  let origin: string | null;
  try {
    origin = new URL(String(details.params['redirect_uri'])).origin;
  } catch {
    origin = null;
  }
  return reply.header('content-security-policy', pageCsp(origin)).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);
}

/** Hands the response to the provider, keeping the headers the app's hooks set. */
function hijack(reply: FastifyReply): void {
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) reply.raw.setHeader(name, value as string);
  reply.hijack();
}

/** An `application/x-www-form-urlencoded` body, at most FORM_LIMIT bytes. */
async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) throw new AppError('bad_request', 'expected a form (application/x-www-form-urlencoded)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > FORM_LIMIT) throw new AppError('payload_too_large', 'the form is too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
