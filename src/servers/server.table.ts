import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { Placement, RestartPolicy, ServerTransport, SessionMode } from './server-config.js';

/**
 * A managed MCP server ("tool" in the API). JSON columns are text; flags are 0/1 integers;
 * timestamps are ISO-8601 UTC text. `env` and `headers` hold `${secret:NAME}` references, never
 * resolved values.
 */
export interface ServerTable {
  id: string;
  name: string;
  description: string | null;
  transport: ServerTransport;
  command: string | null;
  /** JSON string[]. */
  args: string;
  /** JSON Record<string, string>. */
  env: string;
  cwd: string | null;
  url: string | null;
  /** JSON Record<string, string>. */
  headers: string;
  enabled: number;
  auto_start: number;
  restart_policy: RestartPolicy;
  max_retries: number;
  timeout_ms: number;
  /** JSON string[]. */
  tags: string;
  /** 'shared' (one upstream connection for every gateway session) or 'per_session'. */
  session_mode: Generated<SessionMode>;
  /** 'one' (the instance holding the `managed-servers` lease runs it) or 'every' (each instance runs its own). */
  placement: Generated<Placement>;
  /**
   * What the server should be doing, as a person last asked: 'running' after a start or restart,
   * 'stopped' after a stop. Crashes, fatal and platform shutdown leave it alone; platform start and
   * restore start the 'running' ones.
   */
  desired_state: Generated<DesiredState>;
  created_at: string;
  updated_at: string;
}

export type DesiredState = 'running' | 'stopped';
export type ServerRow = Selectable<ServerTable>;
export type NewServerRow = Insertable<ServerTable>;
export type ServerUpdate = Updateable<ServerTable>;
