import type { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';
import { toolResult } from '../gateway/mcp-errors.js';
import type { SecretCaller } from './secret-caller.js';
import { generateOptions, revealedSecret, secretDetail, secretItem, secretNameSchema } from './secrets.schema.js';
import type { SecretsService } from './secrets.service.js';

export interface SecretsToolsDeps {
  secrets: SecretsService;
  /** The MCP client's identity: the same permission checks and audit rows as REST. */
  caller: SecretCaller;
  /** Told of each value handed out, so the protocol recorder can keep it out of the MCP log. */
  onReveal?: (secret: { name: string; value: string }) => void;
}

const reason = z.string().trim().min(1).max(500).describe('Why; recorded in the operation log with your identity');

/**
 * The secret manager of the log service: list_secrets, get_secret, update_secret, rotate_secret.
 * Thin over the secrets service, which checks the caller's role (secrets:read, secrets:reveal,
 * secrets:write) and audits every call. Only get_secret returns a value.
 */
export function registerSecretsTools(server: McpServer, { secrets, caller, onReveal }: SecretsToolsDeps): void {
  server.registerTool('list_secrets', {
    title: 'List secrets',
    description: 'List stored secrets: names, descriptions, tags, versions, when created, updated, last used and rotated. Never returns values.',
    inputSchema: z.object({
      limit: z.number().int().min(1).max(500).default(100),
      cursor: z.string().optional().describe('next_cursor of the previous page'),
      include_deleted: z.boolean().default(false),
    }),
    outputSchema: z.object({ items: z.array(secretItem), next_cursor: z.string().nullable(), total: z.number().int().optional() }),
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, (args) => toolResult(() => secrets.list({ limit: args.limit, cursor: args.cursor, includeDeleted: args.include_deleted }, caller)));

  server.registerTool('get_secret', {
    title: 'Read a secret value',
    description: 'Return the value of a secret (the current version, or a given one). Each read is audited with your identity and reason; requires the secrets:reveal permission.',
    inputSchema: z.object({ name: secretNameSchema, version: z.number().int().min(1).optional(), reason }),
    outputSchema: revealedSecret,
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, (args) =>
    toolResult(async () => {
      const revealed = await secrets.reveal(args.name, { version: args.version, reason: args.reason }, caller);
      onReveal?.({ name: revealed.name, value: revealed.value });
      return revealed;
    }));

  server.registerTool('update_secret', {
    title: 'Store a new secret value',
    description: 'Store a new version of a secret (create it with create_if_missing). With cas, the update happens only if the current version is that number (else a conflict). Servers that use the secret by reference are restarted on the new value.',
    inputSchema: z.object({
      name: secretNameSchema,
      value: z.string().describe('The new value (at most 64 KiB)'),
      cas: z.number().int().min(1).optional().describe('Check-and-set: the version you expect to be current'),
      create_if_missing: z.boolean().default(false),
      description: z.string().max(500).optional().describe('Only used when the secret is created'),
    }),
    outputSchema: secretDetail,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  }, (args) =>
    toolResult(async () => {
      if (args.create_if_missing && !(await exists(secrets, args.name, caller)))
        return secrets.create({ name: args.name, value: args.value, ...(args.description ? { description: args.description } : {}) }, caller);
      return secrets.update(args.name, { value: args.value, cas: args.cas }, caller);
    }));

  server.registerTool('rotate_secret', {
    title: 'Rotate a secret',
    description: 'Replace a secret with a new value (given, or generated with a length and alphabet) and record why. The previous version stays readable for the overlap window. Returns metadata only; read the new value with get_secret.',
    inputSchema: z.object({ name: secretNameSchema, value: z.string().optional(), generate: generateOptions.optional(), reason }),
    outputSchema: secretDetail,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  }, (args) => toolResult(() => secrets.rotate(args.name, { value: args.value, generate: args.generate, reason: args.reason }, caller)));
}

async function exists(secrets: SecretsService, name: string, caller: SecretCaller): Promise<boolean> {
  try {
    await secrets.get(name, caller);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === 'not_found') return false;
    throw err;
  }
}
