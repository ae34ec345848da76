import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../http/app-error.js';
import { fromParam, fromReply } from '../../http/audit-target.js';
import { credentialOf } from '../../http/auth-guard.js';
import { problems } from '../../http/problem.schema.js';
import type { AuthService } from '../auth.service.js';
import type { ConsoleSession } from '../console-session.js';
import { callbackQuery, createProviderBody, logoutResponse, providerList, providerParams, providerView, signInOptions, startQuery, updateProviderBody } from './sso.schema.js';
import { interactionOfReturn, MARKER_COOKIE, MARKER_TTL_SECONDS, type SsoHandoff } from './sso-handoff.js';
import type { SsoRuntime } from './sso-runtime.js';

export interface SsoRoutesOptions {
  sso: SsoRuntime;
  session: ConsoleSession;
  auth: Pick<AuthService, 'authenticate'>;
  apiPrefix: string;
  /** Signs the marker that hands a sign-in back to the authorization server's sign-in page. */
  handoff: SsoHandoff;
  /** Sign-ins started per minute and address (each keeps a row until it is used or expires). */
  loginMaxPerMinute: number;
}

/** Binds a sign-in to the browser that started it; Lax so the provider's redirect back carries it. */
const STATE_COOKIE = 'mcps_sso_state';
/** Which provider the console session came from, and its ID token (the hint for RP-initiated logout). */
const LOGOUT_COOKIE = 'mcps_sso';
/** Cookies hold at most ~4 KB: a bigger ID token is left out of the logout hint (client_id is sent instead). */
const MAX_HINT = 3000;
/**
 * Why a browser's sign-in failed, for the sign-in screen to show once. A cookie, not the URL: nobody can
 * link to the sign-in screen with a message of their choosing.
 */
const ERROR_COOKIE = 'mcps_sso_error';
/** Where a sign-in started from the authorization server's sign-in page goes back to (checked again on use). */
const RETURN_COOKIE = 'mcps_sso_return';

/**
 * Single sign-on routes: the sign-in options the console shows, the redirect to a provider and the
 * callback from it (both browser navigations: a failure sends a browser back to the sign-in screen with
 * the reason, any other client gets problem+json), logout, and the providers (admins).
 */
export const ssoRoutes: FastifyPluginAsyncZod<SsoRoutesOptions> = async (app, opts) => {
  const tags = ['auth'];
  const { sso, session } = opts;
  const cookiePath = `${opts.apiPrefix}/auth/sso`;
  const cookie = (req: FastifyRequest, sameSite: 'lax' | 'strict', maxAge?: number) => ({ path: cookiePath, httpOnly: true, sameSite, secure: req.protocol === 'https', ...(maxAge ? { maxAge } : {}) });

  await app.register(rateLimit, { global: false });

  /** A browser is sent back to the console's sign-in screen with the reason; other clients get the error itself. */
  const failed = (req: FastifyRequest, reply: FastifyReply, err: unknown) => {
    if (!(err instanceof AppError) || !(req.headers.accept ?? '').includes('text/html')) throw err;
    void reply.setCookie(ERROR_COOKIE, err.message.slice(0, 1000), { path: '/', sameSite: 'lax', secure: req.protocol === 'https', maxAge: 120 });
    return reply.redirect('/', 303);
  };

  app.get('/auth/sso', {
    config: { auth: 'public' },
    schema: { tags, summary: 'How to sign in: the single sign-on providers and whether passwords are accepted', response: { 200: signInOptions } },
  }, async () => {
    const providers = (await sso.providers.list()).items.filter((p) => p.enabled);
    return { local_passwords: sso.localPasswords(), providers: providers.map((p) => ({ name: p.name, display_name: p.display_name, start_url: `${opts.apiPrefix}/auth/sso/${p.name}/start` })) };
  });

  app.get('/auth/sso/:name/start', {
    config: { auth: 'public', rateLimit: { max: opts.loginMaxPerMinute, timeWindow: '1 minute' } },
    schema: { tags, summary: 'Start signing in with a provider (redirects the browser to it)', params: providerParams, querystring: startQuery, response: { 302: z.null().describe('To the provider'), ...problems('bad_request', 'not_found', 'forbidden', 'rate_limited', 'bad_gateway') } },
  }, async (req, reply) => {
    const returnTo = req.query.return_to;
    // Only this platform's own sign-in page of an authorization: never an address of someone's choosing.
    if (returnTo !== undefined && !interactionOfReturn(returnTo)) throw new AppError('bad_request', 'return_to must be this platform\'s /oauth/interaction/<id> path (the sign-in page of an MCP client\'s authorization)');
    try {
      const { url, state } = await sso.login.start(req.params.name, req.ip);
      void reply.setCookie(STATE_COOKIE, state, cookie(req, 'lax', 600));
      if (returnTo) void reply.setCookie(RETURN_COOKIE, returnTo, cookie(req, 'lax', 600));
      else void reply.clearCookie(RETURN_COOKIE, cookie(req, 'lax'));
      return reply.redirect(url, 302);
    } catch (err) {
      return failed(req, reply, err);
    }
  });

  app.get('/auth/sso/:name/callback', {
    config: { auth: 'public' },
    schema: { tags, summary: 'Where the provider sends the browser back (the redirect URI to register)', params: providerParams, querystring: callbackQuery, response: { 302: z.null().describe('Signed in: to the console, or back to the MCP client\'s authorization it started from'), ...problems('bad_request', 'unauthorized', 'forbidden', 'not_found', 'conflict', 'bad_gateway') } },
  }, async (req, reply) => {
    const browserState = req.cookies[STATE_COOKIE] ?? null;
    const returnTo = req.cookies[RETURN_COOKIE];
    void reply.clearCookie(STATE_COOKIE, cookie(req, 'lax'));
    if (returnTo !== undefined) void reply.clearCookie(RETURN_COOKIE, cookie(req, 'lax'));
    try {
      const search = req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '';
      const { user, idToken } = await sso.login.finish({ name: req.params.name, search, browserState, ip: req.ip });
      const uid = interactionOfReturn(returnTo);
      if (uid) {
        // Back to the MCP client's authorization: a marker for that interaction only, no console session.
        const path = `/oauth/interaction/${uid}`;
        void reply.setCookie(MARKER_COOKIE, opts.handoff.sign(uid, user.id), { path, httpOnly: true, sameSite: 'lax', secure: req.protocol === 'https', maxAge: MARKER_TTL_SECONDS });
        return reply.redirect(path, 302);
      }
      session.set(req, reply, await sso.tokens.sign(user), sso.tokens.expiresInSeconds);
      void reply.setCookie(LOGOUT_COOKIE, `${req.params.name}.${idToken.length <= MAX_HINT ? idToken : ''}`, cookie(req, 'strict', sso.tokens.expiresInSeconds));
      return reply.redirect('/', 302);
    } catch (err) {
      return failed(req, reply, err);
    }
  });

  app.post('/auth/sso/logout', {
    config: { auth: 'public', audit: { action: 'auth.logout', target: { type: 'user', id: ({ request }) => request.principal?.userId ?? null } } },
    schema: { tags, summary: 'Sign out of the console and learn where to end the session at the provider', response: { 200: logoutResponse } },
  }, async (req, reply) => {
    // Public (a stale cookie must still be cleared); the operation log names who signed out when the credential is still valid.
    const token = session.tokenOf(req) ?? credentialOf(req);
    if (token) req.principal = await opts.auth.authenticate(token).catch(() => null);
    session.clear(req, reply);
    const value = req.cookies[LOGOUT_COOKIE];
    void reply.clearCookie(LOGOUT_COOKIE, cookie(req, 'strict'));
    if (!value) return { end_session_url: null };
    const dot = value.indexOf('.');
    const name = dot < 0 ? value : value.slice(0, dot);
    return { end_session_url: await sso.login.endSessionUrl(name, dot < 0 ? null : value.slice(dot + 1) || null) };
  });

  app.get('/auth/sso/providers', {
    config: { auth: 'users:read' },
    schema: { tags, summary: 'List the single sign-on providers', response: { 200: providerList } },
  }, async () => sso.providers.list());

  app.post('/auth/sso/providers', {
    config: { auth: 'users:write', audit: { action: 'sso_provider.create', target: { type: 'sso_provider', id: fromReply('name') } } },
    schema: { tags, summary: 'Add a single sign-on provider (the client secret as ${secret:NAME})', body: createProviderBody, response: { 201: providerView, ...problems('conflict', 'unprocessable') } },
  }, async (req, reply) => reply.status(201).send(await sso.providers.create(req.body)));

  app.get('/auth/sso/providers/:name', {
    config: { auth: 'users:read' },
    schema: { tags, summary: 'One single sign-on provider', params: providerParams, response: { 200: providerView, ...problems('not_found') } },
  }, async (req) => sso.providers.get(req.params.name));

  app.put('/auth/sso/providers/:name', {
    config: { auth: 'users:write', audit: { action: 'sso_provider.update', target: { type: 'sso_provider', id: fromParam('name') } } },
    schema: { tags, summary: 'Change a single sign-on provider', params: providerParams, body: updateProviderBody, response: { 200: providerView, ...problems('not_found', 'unprocessable') } },
  }, async (req) => sso.providers.update(req.params.name, req.body));

  app.delete('/auth/sso/providers/:name', {
    config: { auth: 'users:write', audit: { action: 'sso_provider.delete', target: { type: 'sso_provider', id: fromParam('name') } } },
    schema: { tags, summary: 'Remove a single sign-on provider (its users stay; their links go)', params: providerParams, response: { 200: providerView, ...problems('not_found') } },
  }, async (req) => sso.providers.remove(req.params.name));
};
