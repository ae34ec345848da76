import { pipeline } from 'node:stream/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Agent, request as undiciRequest } from 'undici';
import { AppError } from '../http/app-error.js';
import { FORWARDED_HEADER, type ForwardSigner } from './forward-signature.js';
import { cjsExports } from '../lib/cjs-exports.js';

/** Hop-by-hop headers (RFC 9110 7.6.1) stay on their own hop; the rest passes unchanged. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/**
 * Passes a request on to the instance at `baseUrl` and streams its answer back as it comes (JSON,
 * server-sent events, downloads): status, headers and body, unchanged. The caller's credentials go
 * with it (the other instance authenticates them itself) and the signed FORWARDED_HEADER (so it serves
 * the request itself, and records the caller's address). Streams end on both sides when either does.
 */
export function createRequestForwarder(deps: { signer: ForwardSigner; instanceId: string }) {
  // No timeouts of its own: a tool call or an event stream lasts as long as the caller's own limits.
  // undici is loaded on the first forward: a single instance never forwards.
  let undici: Promise<{ agent: Agent; request: typeof undiciRequest }> | null = null;
  const client = () =>
    (undici ??= import('undici').then((mod) => cjsExports(mod, 'Agent')).then((u) => ({
      agent: new u.Agent({ headersTimeout: 0, bodyTimeout: 0, keepAliveTimeout: 10_000, connect: { timeout: 3_000 } }),
      request: u.request,
    })));

  return {
    async forward(request: FastifyRequest, reply: FastifyReply, baseUrl: string, what: string): Promise<void> {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name) && name !== FORWARDED_HEADER) headers[name] = value;
      }
      headers['x-request-id'] = request.id;
      headers[FORWARDED_HEADER] = deps.signer.sign(request.method, request.url, { from: deps.instanceId, ip: request.ip, at: Date.now() });
      const abort = new AbortController();
      const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
      const { agent, request: undiciRequest } = await client();
      let res: Awaited<ReturnType<typeof undiciRequest>>;
      try {
        res = await undiciRequest(new URL(request.url, baseUrl), {
          method: request.method as 'POST',
          headers,
          body: hasBody ? request.raw : null,
          dispatcher: agent,
          signal: abort.signal,
        });
      } catch (err) {
        request.log.warn({ err, to: baseUrl }, `forwarding to the instance running ${what} failed`);
        throw new AppError('unavailable', `the instance running ${what} does not answer; another instance takes over within the lease time, try again`, { retryAfterSeconds: 2 });
      }
      reply.hijack();
      const out: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(res.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
      reply.raw.writeHead(res.statusCode, out);
      // SSE: each event reaches the caller as soon as it arrives.
      reply.raw.flushHeaders();
      reply.raw.on('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      // With backpressure; the other instance going away mid-answer, or the caller, ends both.
      await pipeline(res.body, reply.raw).catch(() => reply.raw.destroy());
    },
    close: async () => {
      if (undici) await (await undici).agent.close();
    },
  };
}

export type RequestForwarder = ReturnType<typeof createRequestForwarder>;
