/**
 * What the supervisor needs to run one server. Secrets in `env` and `headers` arrive already
 * resolved: the caller resolves `${secret:NAME}` at the moment of use and never stores the result.
 */
export type ServerTransport = 'stdio' | 'streamable-http' | 'sse' | 'websocket';

export type RestartPolicy = 'always' | 'on-failure' | 'never';

/** How gateway sessions on `/mcp/{server}` reach the server (docs/GATEWAY.md, session modes). */
export type SessionMode = 'shared' | 'per_session';

/** Where a server runs among several instances on one database: one of them (default) or each (docs/DEPLOYMENT.md). */
export type Placement = 'one' | 'every';

export interface ServerConfig {
  /** Unique; `[a-z0-9][a-z0-9_-]{0,31}` (validated by the caller's schema). */
  name: string;
  transport: ServerTransport;
  /** stdio: the executable and its arguments. */
  command?: string | null;
  args?: readonly string[] | null;
  /** stdio: added to the child's minimal default environment (HOME, PATH, ...). */
  env?: Readonly<Record<string, string>> | null;
  cwd?: string | null;
  /** remote transports. */
  url?: string | null;
  headers?: Readonly<Record<string, string>> | null;
  restart_policy: RestartPolicy;
  /** Failures tolerated within the failure window before the server goes `fatal`. */
  max_retries: number;
  /** Handshake deadline and default per-request timeout. */
  timeout_ms: number;
  /** 'per_session': the gateway opens an upstream session of its own per client session (default 'shared'). */
  session_mode?: SessionMode;
}
