import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { AppError, type ErrorCode, type FieldError } from './app-error.js';

/** The problem `title` of each code (also the description of error responses in the OpenAPI document). */
export const PROBLEM_TITLES: Record<ErrorCode, string> = {
  validation: 'Validation failed',
  bad_request: 'Bad request',
  unauthorized: 'Unauthorized',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  conflict: 'Conflict',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  unprocessable: 'Unprocessable entity',
  rate_limited: 'Too many requests',
  internal: 'Internal server error',
  bad_gateway: 'Bad gateway',
  unavailable: 'Service unavailable',
  gateway_timeout: 'Gateway timeout',
};

/** Renders every error once, as RFC 9457 application/problem+json. Unknown errors leak nothing. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error, request);
    logServerError(request, error, appError);
    sendProblem(request, reply, appError);
  });

  app.setNotFoundHandler((request, reply) => {
    sendProblem(request, reply, new AppError('not_found', `route ${request.method} ${request.url.split('?')[0]} not found`));
  });
}

/**
 * A 5xx the code chose (a peer down, a takeover under way, a timeout: `bad_gateway`, `unavailable`,
 * `gateway_timeout`) is a warning with its message; anything else is an unhandled error with its stack.
 */
function logServerError(request: FastifyRequest, error: FastifyError, appError: AppError): void {
  if (appError.status < 500) return;
  if (error instanceof AppError && appError.code !== 'internal') {
    request.log.warn({ code: appError.code, status: appError.status, request_id: request.id }, appError.message);
    return;
  }
  request.log.error({ err: error, request_id: request.id }, 'unhandled error');
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  const { retryAfterSeconds, ...details } = error.details ?? {};
  if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(retryAfterSeconds));
  return reply
    .status(error.status)
    .type('application/problem+json')
    .send({
      type: `https://mcps.one/problems/${error.code}`,
      title: PROBLEM_TITLES[error.code],
      status: error.status,
      detail: error.message,
      code: error.code,
      request_id: request.id,
      ...details,
    });
}

function toAppError(error: FastifyError, request: FastifyRequest): AppError {
  if (error instanceof AppError) return error;

  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors: FieldError[] = error.validation.map((v) => ({
      field: [error.validationContext, ...pathOf(v.instancePath, v.params)].filter(Boolean).join('.'),
      message: v.message ?? 'invalid',
    }));
    const summary = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
    return new AppError('validation', summary || 'request validation failed', { errors });
  }
  if (isResponseSerializationError(error)) return new AppError('internal', 'internal server error');

  // Fastify's own errors (bad JSON, body too large, wrong content type, ...) carry a 4xx statusCode.
  const status = error.statusCode ?? 500;
  if (status === 413) return new AppError('payload_too_large', tooLargeMessage(request.routeOptions.bodyLimit));
  if (status === 415) return new AppError('unsupported_media_type', error.message);
  if (status === 429) return new AppError('rate_limited', error.message);
  if (status === 400 && error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return new AppError('bad_request', 'body is not valid JSON');
  if (status >= 400 && status < 500) {
    const code: ErrorCode = status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 404 ? 'not_found' : 'bad_request';
    return new AppError(code, error.message);
  }
  return new AppError('internal', 'internal server error');
}

function pathOf(instancePath: string, params: Record<string, unknown> | undefined): string[] {
  const parts = instancePath.split('/').filter(Boolean);
  // Unknown keys report the key in params.keys (zod "unrecognized_keys").
  const keys = params?.['keys'];
  if (Array.isArray(keys) && keys.length > 0) parts.push(keys.join(','));
  return parts;
}

/** Names the limit and the setting behind it (every JSON body shares MCPS_BODY_LIMIT). */
function tooLargeMessage(limit: number | undefined): string {
  if (!limit) return 'request body is too large (MCPS_BODY_LIMIT)';
  const mb = limit / (1024 * 1024);
  const size = mb >= 1 ? `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB` : `${Math.round(limit / 1024)} KB`;
  return `request body is larger than the limit of ${limit} bytes (${size}); the limit is set by MCPS_BODY_LIMIT`;
}
