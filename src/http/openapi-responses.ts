import { STATUS_CODES } from 'node:http';
import type { RouteOptions } from 'fastify';
import { z } from 'zod';
import { problemResponse } from './problem.schema.js';

type Responses = Record<string, unknown>;

/**
 * Completes a documented route's responses so the OpenAPI document states every answer: each
 * declared response gets a description, and the problem+json errors any route of its kind can give
 * are added (a route's own declaration of a status wins):
 * 400 always (validation, JSON nesting, a Host not allowed), 401/403 when it needs a credential,
 * 404 when it has path parameters, 413/415 when it takes a body, 429 when rate-limited, 500 always.
 */
export function declareResponses(route: RouteOptions): void {
  const schema = route.schema as (Record<string, unknown> & { response?: Responses; hide?: boolean }) | undefined;
  if (!schema || schema.hide) return;
  const declared: Responses = {};
  for (const [status, response] of Object.entries(schema.response ?? {})) declared[status] = described(status, response);

  const auth = route.config?.auth;
  const methods = [route.method].flat();
  const takesBody = !!schema['body'] || methods.some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH');
  const hasInput = !!(schema['body'] || schema['querystring'] || schema['params']);
  const errors: Responses = {
    400: problemResponse(hasInput ? 'Invalid request: each problem is listed in `errors`' : 'Bad request (e.g. a Host header not allowed)'),
    ...(auth !== undefined && auth !== 'public'
      ? { 401: problemResponse('No valid credential (token or API key)'), 403: problemResponse('The credential lacks the permission this route needs') }
      : {}),
    ...(schema['params'] ? { 404: problemResponse('Not found') } : {}),
    ...(takesBody ? { 413: problemResponse('The body is larger than the limit (MCPS_BODY_LIMIT)'), 415: problemResponse('Unsupported content type') } : {}),
    ...(route.config && 'rateLimit' in route.config ? { 429: problemResponse('Too many requests; see the retry-after header') } : {}),
    500: problemResponse('Internal error; the detail leaks nothing, the request id finds the log entry'),
  };
  route.schema = { ...schema, response: { ...errors, ...declared } };
}

/** A bare zod response without a description gets the HTTP status text (not swagger's "Default Response"). */
function described(status: string, response: unknown): unknown {
  if (!(response instanceof z.ZodType) || response.description) return response;
  return response.describe(STATUS_CODES[Number(status)] ?? status);
}
