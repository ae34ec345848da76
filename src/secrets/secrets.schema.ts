import { z } from 'zod';
import { pageSchema, paginationQuery } from '../http/pagination.js';
import { GENERATED_SECRET_MAX_LENGTH, type GenerateSecretOptions, SECRET_ALPHABETS } from './generate-secret.js';
import { SECRET_REASON_MAX_LENGTH, secretDescriptionSchema, secretMaxVersionsSchema, secretTagsSchema } from './secret-metadata.js';
import { secretNameProblem } from './secret-name.js';

/** Messages never echo the input: a value pasted into the wrong field must not reach a log. */
export const secretNameSchema = z.string().superRefine((name, ctx) => {
  const problem = secretNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', message: `secret name ${problem}` });
});

/** Size and form are checked by the service (413 past 64 KiB), not here. */
const valueSchema = z.string().describe('The secret value (UTF-8 text, at most 64 KiB). Never logged.');
const reasonSchema = z.string().trim().min(1).max(SECRET_REASON_MAX_LENGTH).describe('Why; recorded in the operation log');

export const nameParams = z.object({ name: secretNameSchema }).strict();
export const versionParams = z.object({ name: secretNameSchema, version: z.coerce.number().int().min(1) }).strict();

export const listSecretsQuery = paginationQuery
  .extend({ include_deleted: z.enum(['true', 'false']).default('false').transform((v) => v === 'true') })
  .strict();

export const createSecretBody = z
  .object({
    name: secretNameSchema,
    value: valueSchema,
    description: secretDescriptionSchema.optional(),
    tags: secretTagsSchema.optional(),
    max_versions: secretMaxVersionsSchema.optional(),
  })
  .strict();

export const updateSecretBody = z
  .object({
    value: valueSchema,
    cas: z.number().int().min(1).optional().describe('Check-and-set: the version you expect to be current; 409 if it is not'),
  })
  .strict();

export const revealSecretBody = z
  .object({ version: z.number().int().min(1).optional().describe('Default: the current version'), reason: reasonSchema })
  .strict();

const alphabetNames = Object.keys(SECRET_ALPHABETS) as [keyof typeof SECRET_ALPHABETS, ...(keyof typeof SECRET_ALPHABETS)[]];
export const generateOptions = z
  .object({
    length: z.number().int().min(1).max(GENERATED_SECRET_MAX_LENGTH).optional().describe('Default 32'),
    alphabet: z.enum(alphabetNames).optional().describe('A named alphabet (default alphanumeric)'),
    characters: z.string().min(2).max(94).optional().describe('Or the exact characters to draw from'),
  })
  .strict()
  .refine((g) => !(g.alphabet && g.characters), 'give alphabet or characters, not both')
  .transform((g): GenerateSecretOptions => ({
    ...(g.length !== undefined ? { length: g.length } : {}),
    ...(g.characters !== undefined ? { alphabet: g.characters } : g.alphabet !== undefined ? { alphabet: SECRET_ALPHABETS[g.alphabet] } : {}),
  }));

export const rotateSecretBody = z
  .object({
    value: valueSchema.optional().describe('The new value; omit to generate one'),
    generate: generateOptions.optional(),
    reason: reasonSchema,
  })
  .strict()
  .refine((b) => !(b.value !== undefined && b.generate !== undefined), 'give value or generate, not both');

export const secretItem = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  tags: z.array(z.string()),
  current_version: z.number().int(),
  version_count: z.number().int(),
  max_versions: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
  last_used_at: z.string().nullable(),
  last_rotated_at: z.string().nullable(),
  rotation_reason: z.string().nullable(),
  deleted_at: z.string().nullable(),
});

export const secretVersionItem = z.object({
  version: z.number().int(),
  state: z.enum(['current', 'readable', 'expired', 'destroyed']),
  kek_version: z.string(),
  created_at: z.string(),
  created_by: z.string().nullable(),
  expires_at: z.string().nullable(),
  destroyed_at: z.string().nullable(),
});

export const secretDetail = secretItem.extend({ versions: z.array(secretVersionItem) });
export const secretPage = pageSchema(secretItem);
export const revealedSecret = z.object({ name: z.string(), version: z.number().int(), value: z.string() });
