import { z } from 'zod';
import { AppError } from '../http/app-error.js';

/**
 * A secret's descriptive fields, validated the same way whether they come from REST, the CLI or an
 * MCP tool. Descriptions and tags are metadata, shown in lists: never put a value in them.
 */
export const SECRET_MAX_TAGS = 20;
export const SECRET_MAX_VERSIONS_LIMIT = 1000;
/** Reasons (reveal, rotate) are one line of at most this many characters. */
export const SECRET_REASON_MAX_LENGTH = 500;

export const secretDescriptionSchema = z
  .string()
  .trim()
  .max(1000)
  .refine((v) => !/\p{Cc}/u.test(v.replace(/[\n\t]/g, '')), 'must not contain control characters');
export const secretTagSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.:/-]{1,64}$/, 'must be 1-64 letters, digits, _ . : / -');
export const secretTagsSchema = z.array(secretTagSchema).max(SECRET_MAX_TAGS);
export const secretMaxVersionsSchema = z.number().int().min(1).max(SECRET_MAX_VERSIONS_LIMIT);

export interface SecretMetadataInput {
  description?: string | null | undefined;
  tags?: readonly string[] | undefined;
  max_versions?: number | null | undefined;
}

export interface SecretMetadata {
  description: string | null;
  tags: string[];
  max_versions: number | null;
}

/** Throws AppError `validation` naming the field. Tags are de-duplicated, order kept. */
export function parseSecretMetadata(input: SecretMetadataInput): SecretMetadata {
  const field = <T>(name: string, schema: z.ZodType<T>, value: unknown): T => {
    const r = schema.safeParse(value);
    if (r.success) return r.data;
    const issue = r.error.issues[0];
    const where = [name, ...(issue?.path ?? [])].join('.');
    const message = issue?.message ?? 'is invalid';
    throw new AppError('validation', `${where}: ${message}`, { errors: [{ field: where, message }] });
  };
  const description = input.description == null ? null : field('description', secretDescriptionSchema, input.description) || null;
  const tags = input.tags === undefined ? [] : [...new Set(field('tags', secretTagsSchema, input.tags))];
  const max_versions = input.max_versions == null ? null : field('max_versions', secretMaxVersionsSchema, input.max_versions);
  return { description, tags, max_versions };
}

/** A reason (reveal, rotate): one line of 1-SECRET_REASON_MAX_LENGTH characters, trimmed. */
export function parseSecretReason(reason: unknown): string {
  const r = typeof reason === 'string' ? reason.trim() : '';
  if (!r || r.length > SECRET_REASON_MAX_LENGTH || /\p{Cc}/u.test(r))
    throw new AppError('validation', `reason: give why, in 1-${SECRET_REASON_MAX_LENGTH} characters on one line`, {
      errors: [{ field: 'reason', message: 'required, one line' }],
    });
  return r;
}
