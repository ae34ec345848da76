import { z } from 'zod';
import { pageSchema } from '../http/pagination.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './password.js';
import { ROLES } from './roles.js';

export const usernameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.-]{3,64}$/, 'must be 3-64 letters, digits, _ . -');
export const newPasswordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `must be at least ${PASSWORD_MIN_LENGTH} characters`)
  .max(PASSWORD_MAX_LENGTH);
export const roleSchema = z.enum(ROLES);

export const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(PASSWORD_MAX_LENGTH) }).strict();
export const tokenResponse = z.object({ access_token: z.string(), token_type: z.literal('bearer'), expires_in: z.number() });

export const meResponse = z.object({
  type: z.enum(['user', 'api_key']),
  id: z.string(),
  name: z.string(),
  role: roleSchema,
  user_id: z.string(),
  permissions: z.array(z.string()),
});

export const changePasswordBody = z.object({ current_password: z.string().min(1).max(PASSWORD_MAX_LENGTH), new_password: newPasswordSchema }).strict();

export const createApiKeyBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    role: roleSchema,
    expires_at: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export const apiKeyItem = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  role: roleSchema,
  user_id: z.string(),
  expires_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
  created_at: z.string(),
});

export const createdApiKey = z.object({ key: z.string().describe('The key itself; shown only in this response'), api_key: apiKeyItem });
export const apiKeyPage = pageSchema(apiKeyItem);
export const idParams = z.object({ id: z.string().min(1).max(100) }).strict();

export const userItem = z.object({
  id: z.string(),
  username: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  last_login_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export const userPage = pageSchema(userItem);
export const createUserBody = z.object({ username: usernameSchema, password: newPasswordSchema, role: roleSchema }).strict();
export const updateUserBody = z
  .object({ role: roleSchema.optional(), disabled: z.boolean().optional(), password: newPasswordSchema.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'give at least one of role, disabled, password');
