import { z } from 'zod';
import { apiKeyItem, createApiKeyBody } from '../auth/auth.schema.js';

const pattern = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.\-*?/]+$/, 'expected a name or glob of A-Z a-z 0-9 _ . - / with * and ?');
const patterns = z.array(pattern).max(200).nullable();

export const allowlistBody = z
  .object({
    allowed_servers: patterns.describe('Server names or globs the key may use; null = every server'),
    allowed_tools: patterns.describe('`server__tool` names or globs the key may list and call; null = every tool'),
  })
  .strict();

export const allowlistView = z.object({
  api_key_id: z.string(),
  allowed_servers: z.array(z.string()).nullable(),
  allowed_tools: z.array(z.string()).nullable(),
  updated_at: z.string().nullable(),
});

export const createGatewayKeyBody = createApiKeyBody.extend({
  allowed_servers: patterns.optional(),
  allowed_tools: patterns.optional(),
});

export const createdGatewayKey = z.object({
  key: z.string().describe('The key itself; shown only in this response'),
  api_key: apiKeyItem,
  allowlist: allowlistView,
});

export const keyIdParams = z.object({ id: z.string().min(1).max(100) }).strict();
export const toolNameParams = z.object({ name: z.string().min(1).max(300) }).strict();
export const sessionIdParams = z.object({ id: z.string().min(1).max(200) }).strict();

export const approveBody = z
  .object({
    hash: z
      .string()
      .regex(/^[0-9a-f]{64}$/, 'expected the 64-hex-digit hash shown in GET /gateway/tools')
      .optional()
      .describe('The pending definition hash you reviewed; refused (409) if the definition changed since'),
  })
  .strict()
  .default({});

export const catalogueTool = z.object({
  name: z.string(),
  full_name: z.string(),
  shortened: z.boolean(),
  server: z.string(),
  tool: z.string(),
  kind: z.enum(['managed', 'builtin']),
  running: z.boolean(),
  state: z.enum(['approved', 'quarantined']),
  flags: z.array(z.string()),
  description: z.string().nullable(),
  hash: z.string(),
  approved_hash: z.string().nullable(),
  approved_at: z.string().nullable(),
  approved_by: z.string().nullable(),
  changed_at: z.string().nullable(),
  review: z.object({ approved: z.unknown(), pending: z.unknown() }).nullable(),
});

export const catalogueResponse = z.object({ separator: z.string(), items: z.array(catalogueTool) });

export const approvedResponse = z.object({ server: z.string(), tool: z.string(), state: z.string() });

export const sessionItem = z.object({
  id: z.string(),
  endpoint: z.string(),
  transport: z.enum(['streamable-http', 'sse', 'in-process']),
  caller: z.string(),
  principal: z.object({ type: z.enum(['user', 'api_key']), id: z.string(), name: z.string() }),
  client: z.object({ name: z.string(), version: z.string() }).nullable(),
  protocol_version: z.string().nullable(),
  created_at: z.string(),
  last_seen_at: z.string(),
});

export const sessionsResponse = z.object({ items: z.array(sessionItem) });
