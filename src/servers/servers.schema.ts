import { z } from 'zod';
import { publicationView } from '../pipe/publications.schema.js';
import { pageSchema, paginationQuery } from '../http/pagination.js';
import { SERVER_NAME } from './server-definition.js';
import { SERVER_STATES } from './supervision/server-state.js';
import { problems } from '../http/problem.schema.js';

const transport = z.enum(['stdio', 'streamable-http', 'sse', 'websocket']);
const sessionMode = z.enum(['shared', 'per_session']);
const placement = z.enum(['one', 'every']);
const restartPolicy = z.enum(['always', 'on-failure', 'never']);
const nameSchema = z.string().regex(SERVER_NAME, 'expected 1-32 of a-z 0-9 _ -, starting with a letter or digit');
const values = (key: z.ZodString, what: string) =>
  z.record(key, z.string().max(16_384)).refine((r) => Object.keys(r).length <= 200, 'at most 200 entries').describe(what);
const env = values(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'expected an environment variable name'), 'Values may hold ${secret:NAME} references');
const headers = values(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/, 'expected a header name'), 'Values may hold ${secret:NAME} references');

const serverFields = {
  description: z.string().max(2000).nullable().optional(),
  command: z.string().min(1).max(4096).nullable().optional().describe('stdio: the executable'),
  args: z.array(z.string().max(16_384)).max(500).optional(),
  env: env.optional(),
  cwd: z.string().min(1).max(4096).nullable().optional(),
  url: z.string().min(1).max(4096).nullable().optional().describe('streamable-http / sse: http(s); websocket: ws(s)'),
  headers: headers.optional(),
  enabled: z.boolean().optional(),
  auto_start: z.boolean().optional().describe('Start whenever the platform starts (without it, a server starts again if a person left it running)'),
  restart_policy: restartPolicy.optional().describe('Default on-failure'),
  max_retries: z.number().int().min(0).max(100).optional().describe('Default MCP_MAX_RETRIES'),
  timeout_ms: z.number().int().min(100).max(3_600_000).optional().describe('Default MCP_TIMEOUT'),
  tags: z.array(z.string().min(1).max(64)).max(50).optional(),
  session_mode: sessionMode
    .optional()
    .describe(
      "How gateway sessions on /mcp/{server} reach the server: 'shared' (default; one connection for all) or 'per_session' (an upstream session per client session, needed for sampling, elicitation and roots)",
    ),
  placement: placement
    .optional()
    .describe("Several instances on one database: 'one' (default; one instance of the cluster runs it, the others forward to it) or 'every' (each instance runs its own)"),
};

export const createServerBody = z.object({ name: nameSchema, transport: transport.default('stdio'), ...serverFields }).strict();
export const updateServerBody = z.object({ name: nameSchema.optional(), transport: transport.optional(), ...serverFields }).strict();

export const toolParams = z.object({ tool_id: z.string().min(1).max(64).describe('The server\'s id or name') }).strict();
export const listServersQuery = paginationQuery.strict();
export const stderrQuery = z.object({ tail: z.coerce.number().int().min(1).max(1000).default(100) }).strict();

export const callToolBody = z.object({ tool: z.string().min(1).max(256), arguments: z.record(z.string(), z.unknown()).optional() }).strict();
export const readResourceBody = z.object({ uri: z.string().min(1).max(4096) }).strict();
export const getPromptBody = z.object({ name: z.string().min(1).max(256), arguments: z.record(z.string(), z.string()).optional() }).strict();

export const serverView = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  transport,
  command: z.string().nullable(),
  args: z.array(z.string()),
  env: z.record(z.string(), z.string()).describe('References as stored; literal values of credential-like names masked (for all but admins, credentials by shape too)'),
  cwd: z.string().nullable(),
  url: z.string().nullable(),
  headers: z.record(z.string(), z.string()),
  enabled: z.boolean(),
  auto_start: z.boolean(),
  restart_policy: restartPolicy,
  max_retries: z.number(),
  timeout_ms: z.number(),
  tags: z.array(z.string()),
  session_mode: sessionMode,
  placement,
  instance: z.string().nullable().optional().describe('The instance running it (placement one, several instances)'),
  created_at: z.string(),
  updated_at: z.string(),
  desired_state: z.enum(['running', 'stopped']).describe('As a person last asked (start or stop); platform start and restore bring back the running ones'),
  state: z.enum(SERVER_STATES),
  pid: z.number().nullable(),
});
export const serverPage = pageSchema(serverView);

const serverInfo = z.object({ name: z.string(), version: z.string(), title: z.string().optional() }).nullable();

export const statusView = z.object({
  id: z.string(),
  name: z.string(),
  transport,
  enabled: z.boolean(),
  state: z.enum(SERVER_STATES),
  pid: z.number().nullable(),
  restarts: z.number().describe('Automatic restarts since the platform started'),
  failures: z.number().describe('Failures in the current window (compare with max_retries)'),
  last_error: z.string().nullable(),
  last_exit: z.object({ code: z.number().nullable(), signal: z.string().nullable() }).nullable(),
  started_at: z.string().nullable(),
  uptime_ms: z.number().nullable(),
  next_restart_at: z.string().nullable(),
  server_info: serverInfo,
  protocol_version: z.string().nullable(),
  transitions: z.array(z.object({ from: z.string(), to: z.string(), at: z.string(), reason: z.string() })),
  instance: z.string().nullable().optional().describe('The instance whose process this describes (several instances on one database)'),
  publication: publicationView.nullable().optional().describe('Its publication to a remote WebSocket endpoint (mcp_pipe), with the live state'),
});

export const capabilitiesView = z.object({
  server_info: serverInfo,
  protocol_version: z.string().nullable(),
  capabilities: z.record(z.string(), z.unknown()),
  instructions: z.string().nullable(),
  tools: z.array(z.unknown()),
  resources: z.array(z.unknown()),
  resource_templates: z.array(z.unknown()),
  prompts: z.array(z.unknown()),
});

/** MCP results are passed through as the server sent them. */
export const mcpResult = z.looseObject({}).describe('The MCP result (CallToolResult, ReadResourceResult or GetPromptResult)');

export const stderrView = z.object({ lines: z.array(z.string()) });

const mcpServersEntry = z
  .looseObject({
    command: z.string().optional(),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().optional(),
    url: z.string().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    type: z.string().optional(),
    disabled: z.boolean().optional(),
    description: z.string().optional(),
    session_mode: sessionMode.optional().describe("The gateway's session mode (our addition; absent: shared for a new server, unchanged for an existing one)"),
    placement: placement.optional().describe('Where it runs among several instances (our addition; absent: one for a new server, unchanged for an existing one)'),
  })
  .describe('{"command","args","env"} or {"url","headers","type"}');

export const importBody = z
  .looseObject({
    mcpServers: z.record(z.string(), mcpServersEntry).optional(),
    servers: z.record(z.string(), mcpServersEntry).optional().describe('VS Code\'s name for mcpServers'),
  })
  .describe('Claude Desktop / Cursor / VS Code configuration');

const reportItem = z.object({ name: z.string(), source: z.string() });
export const importReport = z.object({
  created: z.array(reportItem),
  updated: z.array(reportItem),
  skipped: z.array(z.object({ name: z.string().nullable(), source: z.string(), reason: z.string() })),
});

const exportEntry = z.object({
  command: z.string().optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().optional(),
  type: z.string().optional(),
  url: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  disabled: z.boolean().optional(),
  session_mode: sessionMode.optional().describe('Written only when per_session'),
  placement: placement.optional().describe('Written only when every'),
});
export const exportView = z.object({ mcpServers: z.record(z.string(), exportEntry) });

export const metricsQuery = z.object({ since: z.iso.datetime({ offset: true }).optional().describe('ISO time; default: the whole window') }).strict();
const sample = z.object({
  time: z.string(),
  state: z.string(),
  pid: z.number().nullable(),
  cpu_percent: z.number().nullable(),
  rss_bytes: z.number().nullable(),
  restarts: z.number(),
  uptime_ms: z.number().nullable(),
  calls: z.number(),
  errors: z.number(),
  p50_ms: z.number().nullable(),
  p95_ms: z.number().nullable(),
});
export const metricsView = z.object({
  server: z.string(),
  interval_ms: z.number(),
  window_ms: z.number(),
  totals: z.object({ calls: z.number(), errors: z.number() }),
  samples: z.array(sample),
});

/** What a call through to a server may answer besides the usual: not running, a missing secret, upstream failures. */
export const upstreamProblems = problems('conflict', 'unprocessable', 'bad_gateway', 'gateway_timeout');
