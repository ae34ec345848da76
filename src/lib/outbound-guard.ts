import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { Agent, fetch as undiciFetch } from 'undici';
import { AppError } from '../http/app-error.js';
import type { OutboundPolicy } from './outbound-policy.js';
import { cjsExports } from './cjs-exports.js';

/**
 * The one way the platform connects to a URL a user gave it (remote MCP servers, publication
 * endpoints): the text is checked (no control characters: the URL parser would silently drop a
 * CR/LF), then the scheme, the absence of user:password@, literal addresses and cloud metadata
 * names against the policy; host
 * names are resolved once by `lookup`, which refuses them if any address is not allowed and hands
 * the socket the address it checked (DNS pinned: no second resolution between the check and the
 * connection). Redirects are not followed.
 */
export interface OutboundGuard {
  /** Throws a `forbidden` AppError naming the URL's host when it may not be used (no resolution). */
  assertUrl(url: URL | string, schemes: readonly string[]): URL;
  /**
   * `assertUrl`, and a host name resolved now and its addresses judged: for checking a URL when it
   * is saved. A name that does not resolve (yet) passes; connections check it again anyway.
   */
  check(url: URL | string, schemes: readonly string[]): Promise<URL>;
  /** For `net`/`http`/`ws` `lookup` options. */
  lookup: LookupFunction;
  /** A fetch (for the MCP SDK's HTTP transports) that goes through the checks above. */
  fetch: (input: string | URL, init?: RequestInit) => Promise<Response>;
  close(): Promise<void>;
}

const HTTP = ['http:', 'https:'];
/** CR, LF, tab and the other C0 controls and DEL: the URL parser drops them silently, so they are refused on the text. */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** A DNS lookup not answered by then fails with code ETIMEOUT (below undici's 10 s connect timeout, which it would otherwise hide in). */
export const LOOKUP_TIMEOUT_MS = 8_000;

export function createOutboundGuard(policy: OutboundPolicy, resolve: typeof dnsLookup = dnsLookup, options: { lookupTimeoutMs?: number } = {}): OutboundGuard {
  const refuse = (host: string, why: string) =>
    new AppError('forbidden', `outbound connection to '${host}' refused: ${why} (allow it with MCPS_OUTBOUND_ALLOW)`);
  const lookupTimeoutMs = options.lookupTimeoutMs ?? LOOKUP_TIMEOUT_MS;

  const lookup: LookupFunction = (hostname, lookupOptions, reply) => {
    const named = policy.nameRefusal(hostname);
    if (named) return reply(refuse(hostname, named) as unknown as NodeJS.ErrnoException, '', 0);
    // A resolver that never answers must not hold a connection (or a check) forever: the first of the
    // answer and the timeout wins; a late answer is dropped.
    let answered = false;
    const timer = setTimeout(() => {
      answered = true;
      const err: NodeJS.ErrnoException = new Error(`the DNS lookup of '${hostname}' did not answer within ${lookupTimeoutMs / 1000} s`);
      err.code = 'ETIMEOUT';
      reply(err, '', 0);
    }, lookupTimeoutMs);
    timer.unref();
    const callback: typeof reply = (...args: Parameters<typeof reply>) => {
      if (answered) return;
      answered = true;
      clearTimeout(timer);
      (reply as (...a: unknown[]) => void)(...args);
    };
    const options = lookupOptions;
    resolve(hostname, { all: true, family: options.family ?? 0 }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.map((a) => policy.refusal(a.address, hostname)).find((r) => r !== null);
      if (refused || addresses.length === 0) return callback(refuse(hostname, refused ?? 'no address') as unknown as NodeJS.ErrnoException, '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };

  const assertUrl = (input: URL | string, schemes: readonly string[]): URL => {
    if (typeof input === 'string' && CONTROL_CHARACTERS.test(input)) throw new AppError('bad_request', 'the URL contains control characters (CR, LF, tab...)');
    let url: URL;
    try {
      url = typeof input === 'string' ? new URL(input) : input;
    } catch {
      throw new AppError('bad_request', 'invalid URL');
    }
    if (!schemes.includes(url.protocol)) throw new AppError('bad_request', `URL scheme '${url.protocol}' is not allowed (${schemes.join(', ')})`);
    // `http://public.example@10.0.0.1/` reads as one host and connects to another; fetch would refuse it anyway.
    if (url.username || url.password) throw new AppError('bad_request', 'credentials in a URL (user:password@) are not allowed: send them in a header');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const why = isIP(host) ? policy.refusal(host, host) : policy.nameRefusal(host);
    if (why) throw refuse(host, why);
    return url;
  };

  const check = async (input: URL | string, schemes: readonly string[]): Promise<URL> => {
    const url = assertUrl(input, schemes);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) return url;
    await new Promise<void>((done, fail) =>
      lookup(host, { all: true }, (err) => (err instanceof AppError ? fail(err) : done())),
    );
    return url;
  };

  // undici is loaded on the first fetch: most processes never make one (and it is ~5 MB of heap).
  let undici: Promise<{ agent: Agent; fetch: typeof undiciFetch }> | null = null;
  const client = () =>
    (undici ??= import('undici').then((mod) => cjsExports(mod, 'Agent')).then((u) => ({ agent: new u.Agent({ connect: { lookup } }), fetch: u.fetch })));
  return {
    assertUrl,
    check,
    lookup,
    async fetch(input, init) {
      const url = assertUrl(typeof input === 'string' ? input : input.toString(), HTTP);
      const { agent, fetch } = await client();
      let res: Awaited<ReturnType<typeof undiciFetch>>;
      try {
        res = await fetch(url, { ...(init as object), dispatcher: agent, redirect: 'manual' } as Parameters<typeof undiciFetch>[1]);
      } catch (err) {
        // undici reports a refused lookup as "fetch failed"; the reason is the cause.
        const cause = (err as { cause?: unknown }).cause;
        throw cause instanceof AppError ? cause : err;
      }
      if (res.status >= 300 && res.status < 400 && res.headers.get('location'))
        throw new AppError('bad_gateway', `${url.host} answered with a redirect (${res.status}); redirects are not followed: use the final URL`);
      return res as unknown as Response;
    },
    close: async () => {
      if (undici) await (await undici).agent.close();
    },
  };
}

/**
 * `guard.check` for a URL about to be saved (`field` names it): a refusal by the outbound policy
 * becomes a 422 before anything is stored; a malformed URL stays a 400.
 */
export async function checkUrlToSave(guard: Pick<OutboundGuard, 'check'>, url: string, schemes: readonly string[], field: string): Promise<void> {
  try {
    await guard.check(url, schemes);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'forbidden') throw err;
    throw new AppError('unprocessable', `${field}: ${err.message}`, { errors: [{ field, message: err.message }] });
  }
}
