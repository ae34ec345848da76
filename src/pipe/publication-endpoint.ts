import { randomBytes } from 'node:crypto';
import { AppError } from '../http/app-error.js';
import { findSecretReferences } from '../secrets/secret-reference.js';
import { parseEndpoint, redactEndpoint } from './endpoint-url.js';

/** How an endpoint given to the publish API is stored. */
export type EndpointPlan =
  /** The user already wrote `${secret:NAME}` references: stored as written. */
  | { kind: 'references'; stored: string; display: string }
  /** A literal token in the query string: moved into a secret, the stored URL references it. */
  | { kind: 'token'; base: string; query: string; display: string }
  /** Nothing secret in it (no query string). */
  | { kind: 'plain'; stored: string; display: string };

/**
 * Splits an endpoint into what may be stored in clear and what goes into a secret. The whole query
 * string counts as the token (`?token=...`, `?key=...&agent=...`): every query value is hidden in
 * displays anyway. A password in the URL is refused (there is nowhere safe to keep it in clear).
 */
export function planEndpoint(text: string): EndpointPlan {
  const trimmed = text.trim();
  const refs = findSecretReferences(trimmed);
  const url = parseEndpoint(trimmed);
  if (url.username || url.password) {
    throw new AppError('validation', 'endpoint: credentials before the host (user:password@) are not supported; put the token in the query string', {
      errors: [{ field: 'endpoint', message: 'no user:password@' }],
    });
  }
  const display = redactEndpoint(trimmed);
  if (refs.length > 0) return { kind: 'references', stored: trimmed, display };
  const query = url.search.slice(1);
  if (!query) return { kind: 'plain', stored: `${url.origin}${url.pathname}`, display };
  return { kind: 'token', base: `${url.origin}${url.pathname}`, query, display };
}

/** The stored form of a token plan, referencing the secret `name`. */
export function storedWithSecret(base: string, name: string): string {
  return `${base}?\${secret:${name}}`;
}

/** A fresh secret name for a publication's token. */
export function newTokenSecretName(): string {
  return `pipe-endpoint-${randomBytes(6).toString('hex')}`;
}
