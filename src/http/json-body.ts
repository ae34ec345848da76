import type { FastifyInstance, FastifyRequest } from 'fastify';
import { exceedsJsonDepth, JSON_TOO_DEEP } from '../lib/json-depth.js';
import { AppError } from './app-error.js';

/**
 * JSON request bodies: Fastify's own parser (prototype-poisoning checks, bodyLimit), then the nesting
 * bound, so a deeply nested body is a 400 here rather than a stack overflow further in.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  // The default parser is the callback form: (request, body, done).
  const parse = app.getDefaultJsonParser('error', 'error') as (request: FastifyRequest, body: string, done: (err: Error | null, value?: unknown) => void) => void;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (err, value) => {
      if (err) return done(err, undefined);
      if (exceedsJsonDepth(value)) return done(new AppError('bad_request', `body is ${JSON_TOO_DEEP}`), undefined);
      done(null, value);
    });
  });
}
