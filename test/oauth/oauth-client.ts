import type { OAuthClientProvider } from '@modelcontextprotocol/client';
import { expect } from 'vitest';

type Info = Awaited<ReturnType<OAuthClientProvider['clientInformation']>>;
type Tokens = Awaited<ReturnType<OAuthClientProvider['tokens']>>;

/**
 * An MCP client's OAuth state, as an MCP client application keeps it (the SDK drives the flow; this
 * only stores what it hands over). The authorization URL is kept for the test's "browser" to open.
 */
export class TestOAuthClient implements OAuthClientProvider {
  info: Info;
  saved: Tokens;
  verifier = '';
  authorizationUrl: URL | null = null;
  constructor(
    readonly redirectUrl: string,
    readonly name = 'Test MCP client',
    readonly clientMetadataUrl?: string,
  ) {}
  get clientMetadata() {
    return { client_name: this.name, redirect_uris: [this.redirectUrl], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: NonNullable<Info>) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: NonNullable<Tokens>) {
    this.saved = tokens;
  }
  redirectToAuthorization(url: URL) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(v: string) {
    this.verifier = v;
  }
  codeVerifier() {
    return this.verifier;
  }
}

/** A browser's cookie jar and redirect-following, by plain HTTP (each step checked by the caller). */
export class FormBrowser {
  private cookies = new Map<string, string>();
  async get(url: string | URL): Promise<Response> {
    return this.send(url, { method: 'GET' });
  }
  async post(url: string | URL, form: Record<string, string>): Promise<Response> {
    return this.send(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  }
  /** Follows redirects on the platform's origin; stops at the first one elsewhere (the client's callback) and returns it. */
  async follow(res: Response, origin: string): Promise<{ page: Response; url: string } | { callback: URL }> {
    let current = res;
    let url = '';
    for (let i = 0; i < 10 && current.status >= 300 && current.status < 400; i++) {
      const next = new URL(current.headers.get('location')!, origin);
      if (next.origin !== origin) return { callback: next };
      url = next.href;
      current = await this.get(next);
    }
    return { page: current, url };
  }
  private async send(url: string | URL, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    return res;
  }
}

/**
 * Signs in as `username` and approves in a "browser" on the platform at `base`; returns the client's
 * callback URL. `checkConsent` checks the consent page (by default: it names the `mcp` scope).
 */
export async function approveInBrowser(
  base: string,
  authorizationUrl: URL,
  username: string,
  password: string,
  checkConsent: (html: string) => void = (html) => expect(html).toContain('<code>mcp</code>'),
  browser = new FormBrowser(),
): Promise<URL> {
  const login = await browser.follow(await browser.get(authorizationUrl), base);
  if (!('page' in login)) throw new Error('expected the sign-in page');
  const loginHtml = await login.page.text();
  expect(loginHtml).toContain('Test MCP client');
  expect(login.page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
  const consent = await browser.follow(await browser.post(`${login.url}/login`, { username, password }), base);
  if (!('page' in consent)) throw new Error('expected the consent page');
  const consentHtml = await consent.page.text();
  expect(consentHtml).toContain('Test MCP client');
  expect(consentHtml).toContain(username);
  checkConsent(consentHtml);
  const done = await browser.follow(await browser.post(`${consent.url}/confirm`, {}), base);
  if (!('callback' in done)) throw new Error(`expected the redirect to the client, got ${done.page.status}: ${await done.page.text()}`);
  return done.callback;
}
