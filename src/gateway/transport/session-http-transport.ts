import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  isInitializeRequest,
  isJsonContentType,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type RequestId,
  type Transport,
  type TransportSendOptions,
} from '@modelcontextprotocol/server';
import { asJsonRpc } from '../../lib/jsonrpc-envelope.js';
import { KEEP_ALIVE_COMMENT, KEEP_ALIVE_MS, SSE_HEADERS, sseEvent } from './sse-framing.js';
import { GATEWAY_ERROR, SESSION_NOT_FOUND } from '../mcp-errors.js';


/** The response of one POSTed request: plain JSON until something must go before the result, then SSE. */
interface PendingAnswer {
  res: ServerResponse;
  mode: 'json' | 'sse';
  /** The client went away: what is still sent for the request is dropped. */
  gone: boolean;
  timer: NodeJS.Timeout | null;
}

const isResponse = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } => 'result' in m || 'error' in m;

/**
 * The server side of one sessionful Streamable HTTP session (2025-era protocol), on Node's own
 * request and response objects. It follows the SDK's `WebStandardStreamableHTTPServerTransport`
 * (same validations, status codes and messages, one standalone GET stream, DELETE ends the
 * session) with one difference: a POSTed request is answered as one `application/json` response
 * unless a related message (progress, logging, a server->client request) is sent before the
 * result, in which case that response becomes an SSE stream ending after the result. A request
 * with no result after 15 s also turns to SSE, for its keep-alive comments. The spec allows either
 * form per POST; clients must accept both.
 *
 * A client that disconnects before its answer cancels nothing (as with the SDK transport): the
 * request runs on and its result is reported undeliverable through `onerror`.
 */
export class SessionHttpTransport implements Transport {
  sessionId?: string;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: Transport['onmessage'];

  private started = false;
  private closed = false;
  private supported: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS;
  private readonly pending = new Map<RequestId, PendingAnswer>();
  private standalone: { res: ServerResponse; timer: NodeJS.Timeout } | null = null;

  /** `id` becomes the session id once a valid `initialize` arrives. */
  constructor(private readonly id: string) {}

  async start(): Promise<void> {
    if (this.started) throw new Error('Transport already started');
    this.started = true;
  }

  /** Called by the SDK server on connect: the versions an `mcp-protocol-version` header may name. */
  setSupportedProtocolVersions(versions: string[]): void {
    this.supported = versions;
  }

  /**
   * Handles one HTTP request of the session. `body` is the parsed POST body (one message). Returns
   * once the request is dispatched; a POSTed request's answer follows when the server sends it.
   */
  async handleRequest(req: IncomingMessage, res: ServerResponse, body?: unknown): Promise<void> {
    if (this.closed) return this.fail(res, 404, SESSION_NOT_FOUND, 'Session not found');
    switch (req.method) {
      case 'POST':
        return this.post(req, res, body);
      case 'GET':
        return this.get(req, res);
      case 'DELETE':
        return this.delete(req, res);
      default:
        res.setHeader('allow', 'GET, POST, DELETE');
        return this.fail(res, 405, GATEWAY_ERROR, 'Method not allowed.');
    }
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const response = isResponse(message);
    const requestId = response ? message.id : options?.relatedRequestId;
    if (requestId === undefined) {
      if (response) throw new Error('Cannot send a response on a standalone SSE stream unless resuming a previous client request');
      this.standalone?.res.write(sseEvent(message));
      return;
    }
    const answer = this.pending.get(requestId);
    if (!answer) throw new Error(`No connection established for request ID: ${String(requestId)}`);
    if (response) {
      this.pending.delete(requestId);
      if (answer.timer) clearTimeout(answer.timer);
      if (answer.gone) {
        this.onerror?.(new Error(`Response for request ID ${String(requestId)} is undeliverable: per-request stream is disconnected and no eventStore is configured`));
        return;
      }
      this.finish(answer, message);
      return;
    }
    if (answer.gone) return;
    this.toSse(answer);
    answer.res.write(sseEvent(message));
  }

  /** Ends the session: open streams end; a request still waiting gets a "Session closed" error. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [id, answer] of this.pending) {
      if (answer.timer) clearTimeout(answer.timer);
      if (!answer.gone) this.finish(answer, { jsonrpc: '2.0', id, error: { code: GATEWAY_ERROR, message: 'Session closed' } });
    }
    this.pending.clear();
    if (this.standalone) {
      clearInterval(this.standalone.timer);
      this.standalone.res.end();
      this.standalone = null;
    }
    this.onclose?.();
  }

  private async post(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const accept = req.headers.accept;
    if (!accept?.includes('application/json') || !accept.includes('text/event-stream')) {
      return this.fail(res, 406, GATEWAY_ERROR, 'Not Acceptable: Client must accept both application/json and text/event-stream');
    }
    if (!isJsonContentType(req.headers['content-type'] ?? null)) {
      return this.fail(res, 415, GATEWAY_ERROR, 'Unsupported Media Type: Content-Type must be application/json');
    }
    // The envelope only (the routes' rule, lib/jsonrpc-envelope.ts): the SDK server checks each
    // method's params against its schema, and a forwarded call's are the upstream's to check.
    const message = asJsonRpc(body);
    if (message === null) return this.fail(res, 400, -32700, 'Parse error: Invalid JSON-RPC message');
    if ('method' in message && message.method === 'initialize' && isInitializeRequest(message)) {
      if (this.sessionId !== undefined) return this.fail(res, 400, -32600, 'Invalid Request: Server already initialized');
      this.sessionId = this.id;
    } else if (!this.validSession(req, res)) {
      return;
    }
    if (!('method' in message && 'id' in message)) {
      this.onmessage?.(message);
      res.writeHead(202);
      res.end();
      return;
    }
    const answer: PendingAnswer = { res, mode: 'json', gone: false, timer: null };
    answer.timer = setTimeout(() => this.keepAlive(answer), KEEP_ALIVE_MS);
    answer.timer.unref();
    this.pending.set(message.id as RequestId, answer);
    res.once('close', () => {
      if (res.writableFinished) return;
      answer.gone = true;
      if (answer.timer) clearTimeout(answer.timer);
    });
    this.onmessage?.(message);
  }

  private async get(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!req.headers.accept?.includes('text/event-stream')) return this.fail(res, 406, GATEWAY_ERROR, 'Not Acceptable: Client must accept text/event-stream');
    if (!this.validSession(req, res)) return;
    if (this.standalone) return this.fail(res, 409, GATEWAY_ERROR, 'Conflict: Only one SSE stream is allowed per session');
    res.writeHead(200, { ...SSE_HEADERS, 'mcp-session-id': this.id });
    res.flushHeaders();
    const timer = setInterval(() => res.write(KEEP_ALIVE_COMMENT), KEEP_ALIVE_MS);
    timer.unref();
    const stream = { res, timer };
    this.standalone = stream;
    res.once('close', () => {
      clearInterval(timer);
      if (this.standalone === stream) this.standalone = null;
    });
  }

  private async delete(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.validSession(req, res)) return;
    res.writeHead(200);
    res.end();
    await this.close();
  }

  /** The session is initialized and the `mcp-protocol-version` header, if any, is supported; else answers 400. */
  private validSession(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.sessionId === undefined) {
      this.fail(res, 400, GATEWAY_ERROR, 'Bad Request: Server not initialized');
      return false;
    }
    const version = req.headers['mcp-protocol-version'];
    if (typeof version === 'string' && !this.supported.includes(version)) {
      this.fail(res, 400, GATEWAY_ERROR, `Bad Request: Unsupported protocol version: ${version} (supported versions: ${this.supported.join(', ')})`);
      return false;
    }
    return true;
  }

  /** Ends a request's response with its result: the whole JSON body, or the last SSE event. */
  private finish(answer: PendingAnswer, message: JSONRPCMessage): void {
    if (answer.mode === 'json') {
      answer.res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': this.id });
      answer.res.end(JSON.stringify(message));
    } else {
      answer.res.end(sseEvent(message));
    }
  }

  /** Turns a request's pending answer into an SSE stream (headers out, keep-alive comments from now on). */
  private toSse(answer: PendingAnswer): void {
    if (answer.mode === 'sse') return;
    answer.mode = 'sse';
    answer.res.writeHead(200, { ...SSE_HEADERS, 'mcp-session-id': this.id });
    if (answer.timer) clearTimeout(answer.timer);
    answer.timer = setInterval(() => answer.res.write(KEEP_ALIVE_COMMENT), KEEP_ALIVE_MS);
    answer.timer.unref();
  }

  private keepAlive(answer: PendingAnswer): void {
    this.toSse(answer);
    answer.res.write(KEEP_ALIVE_COMMENT);
  }

  private fail(res: ServerResponse, status: number, code: number, message: string): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
  }
}
