import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type Provider from 'oidc-provider';
import type { AuditLog } from '../../logs/audit-log.js';

/** The platform's request id, put on the raw request before the provider gets it (oauth.routes.ts). */
export const REQUEST_ID = Symbol('mcps.requestId');
export type TaggedRequest = IncomingMessage & { [REQUEST_ID]?: string };

/** The provider's POST endpoints: one operation-log row per request, success or not. */
const MUTATING_ROUTES: Record<string, string> = { token: 'oauth.grant', registration: 'oauth.registration', revocation: 'oauth.revocation' };
/** Refusals of the browser-facing endpoints, reported by the provider as events. */
const REFUSAL_EVENTS = ['authorization.error', 'backchannel.error'] as const;

interface Ctx {
  method: string;
  status: number;
  body: unknown;
  ip?: string;
  req: TaggedRequest;
  oidc?: { route?: string; client?: { clientId?: string }; params?: Record<string, unknown> };
}

/** Audits what the authorization server does and refuses (docs/AUTH.md, "What is refused"). */
export function auditOAuth(provider: Provider, deps: { audit: Pick<AuditLog, 'record'>; log: Pick<Logger, 'error'> }): void {
  provider.use(async (ctx: Ctx, next: () => Promise<void>) => {
    let thrown: (Error & { status?: number; error?: string; error_description?: string }) | undefined;
    try {
      await next();
    } catch (err) {
      thrown = err as typeof thrown;
      throw err;
    } finally {
      // Awaited: the answer leaves once its row is written, as for every other route.
      await record(ctx, thrown);
    }
  });

  async function record(ctx: Ctx, thrown: { status?: number; error?: string; error_description?: string; message: string } | undefined): Promise<void> {
    const action = ctx.method === 'POST' && ctx.oidc?.route ? MUTATING_ROUTES[ctx.oidc.route] : undefined;
    if (!action) return;
    const body = (thrown ? { error: thrown.error, error_description: thrown.error_description ?? thrown.message } : (ctx.body ?? {})) as { error?: string; error_description?: string; client_id?: string };
    const status = thrown ? (thrown.status ?? 500) : ctx.status;
    const failed = status >= 400;
    const grantType = ctx.oidc?.params?.['grant_type'];
    await deps.audit.record({
      actor: { type: 'anonymous' },
      action,
      target: { type: 'oauth_client', id: ctx.oidc?.client?.clientId ?? (typeof body.client_id === 'string' ? body.client_id : null) },
      outcome: failed ? 'failure' : 'success',
      statusCode: status,
      ip: ctx.ip ?? null,
      requestId: ctx.req[REQUEST_ID] ?? null,
      details: {
        ...(typeof grantType === 'string' ? { grant_type: grantType } : {}),
        ...(failed ? { error: body.error ?? 'server_error', reason: body.error_description ?? null } : {}),
      },
    });
  }
  for (const event of REFUSAL_EVENTS) {
    provider.on(event, (ctx: Ctx, err: Error & { error?: string; error_description?: string; status?: number }) => {
      void deps.audit.record({
        actor: { type: 'anonymous' },
        action: `oauth.${event.replace('.error', '')}`,
        target: { type: 'oauth_client', id: ctx.oidc?.client?.clientId ?? null },
        outcome: 'failure',
        statusCode: err.status ?? null,
        ip: ctx.ip ?? null,
        requestId: ctx.req?.[REQUEST_ID] ?? null,
        details: { error: err.error ?? 'server_error', reason: err.error_description ?? err.message },
      });
    });
  }
  provider.on('server_error', (_ctx: unknown, err: Error) => deps.log.error({ err }, 'oauth: authorization server error'));
}
