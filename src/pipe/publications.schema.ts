import { z } from 'zod';

const endpoint = z
  .string()
  .trim()
  .min(1)
  .max(4096)
  .describe('The WebSocket endpoint, ws:// or wss://, e.g. wss://api.xiaozhi.me/mcp/?token=... The query string is stored as a secret; `${secret:NAME}` references are kept as written.');

export const pipeStatus = z
  .object({
    state: z.enum(['connecting', 'connected', 'retrying', 'stopped', 'fatal']),
    endpoint: z.string().describe('Query values and password replaced by ***'),
    connected_since: z.string().nullable(),
    next_retry_at: z.string().nullable(),
    retry_in_ms: z.number().nullable(),
    attempts: z.number().describe('Failed attempts since the last stable connection'),
    connects: z.number(),
    last_error: z.string().nullable(),
    messages_in: z.number().describe('JSON-RPC messages endpoint -> server'),
    messages_out: z.number().describe('JSON-RPC messages server -> endpoint'),
    server: z.object({ state: z.string(), restarts: z.number(), last_error: z.string().nullable() }),
  })
  .describe('Live state of the pipe (null while disabled, and on an instance that does not run it: see standby)');

export const publicationView = z.object({
  id: z.string(),
  target: z.enum(['server', 'gateway']),
  server_id: z.string().nullable(),
  server_name: z.string().nullable(),
  principal: z.object({ type: z.enum(['user', 'api_key']), id: z.string() }).describe('Whose rights the gateway session has'),
  endpoint: z.string().describe('Redacted: query values replaced by ***'),
  token_secret: z.string().nullable().describe('The secret holding the endpoint\'s query string (created by the publish call)'),
  enabled: z.boolean(),
  created_by: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  status: pipeStatus.nullable(),
  running_on: z
    .string()
    .nullable()
    .describe('The platform instance running it (host:pid:random), when several share the database; null while disabled or between two instances'),
  standby: z.boolean().describe('Enabled but run by another instance (or waiting to take over): `status` is then null here'),
});

export const publicationList = z.object({ items: z.array(publicationView), total: z.number() });

export const publishServerBody = z.strictObject({
  endpoint: endpoint.optional().describe('Required when the server is not published yet'),
  enabled: z.boolean().optional().describe('false keeps the publication but disconnects it; true (default) connects it'),
});

export const createPublicationBody = z.strictObject({
  target: z.literal('gateway').describe('The whole gateway: every tool the API key may use'),
  api_key_id: z.string().min(1).max(64),
  endpoint,
  enabled: z.boolean().optional(),
});

export const updatePublicationBody = z.strictObject({ endpoint: endpoint.optional(), enabled: z.boolean().optional() });

export const publicationParams = z.object({ publication_id: z.string().min(1).max(64) });
export const toolPublishParams = z.object({ tool_id: z.string().min(1).max(64) });
