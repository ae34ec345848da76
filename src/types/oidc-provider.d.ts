// oidc-provider ships no types; the platform uses a small surface of it (src/auth/oauth/), typed here loosely.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, unknown>;
    session?: { accountId?: string };
    grantId?: string;
    returnTo: string;
  }

  export interface GrantInstance {
    /** The scopes granted per resource indicator (space-separated). */
    resources?: Record<string, string>;
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface AccessTokenInstance {
    accountId: string;
    clientId: string;
    aud?: string | string[];
    scope?: string;
    grantId?: string;
    isExpired: boolean;
    isValid: boolean;
  }

  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    proxy: boolean;
    issuer: string;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    on(event: string, listener: (...args: any[]) => void): this;
    /** A Koa middleware run around every endpoint (after `await next()` the response is known). */
    use(middleware: (ctx: any, next: () => Promise<void>) => Promise<void>): this;
    Grant: { new (init: { accountId: string; clientId: string }): GrantInstance; find(id: string): Promise<GrantInstance | undefined> };
    Client: { find(id: string): Promise<{ clientId: string; clientName?: string; redirectUris?: string[] } | undefined> };
    AccessToken: { find(value: string): Promise<AccessTokenInstance | undefined> };
  }

  export const errors: Record<string, new (...args: any[]) => Error>;
  export default Provider;
}
