import type { Implementation } from '@modelcontextprotocol/client';
import type { ChildExit } from '../process/child-process.js';
import type { ServerTransport } from '../server-config.js';
import type { ServerState } from './server-state.js';

/** What the supervisor reports about a server: its status and the record of its transitions. */

export interface TransitionRecord {
  from: ServerState;
  to: ServerState;
  /** ISO-8601. */
  at: string;
  reason: string;
}

export interface TransitionEvent extends TransitionRecord {
  server: string;
  pid: number | null;
  error: string | null;
}

export interface ServerStatus {
  name: string;
  transport: ServerTransport;
  state: ServerState;
  pid: number | null;
  /** Automatic restarts since the supervisor was created. */
  restarts: number;
  /** Failures in the current window (compare with max_retries). */
  failures: number;
  /**
   * Every failure since the supervisor was created (crash, lost connection, failed start or health
   * check), the one that ends in `fatal` included; never reset, so a crash loop keeps counting
   * across fatal / start cycles while `restarts` stops at max_retries per cycle.
   */
  failuresTotal: number;
  lastError: string | null;
  lastExit: ChildExit | null;
  /** ISO time the current instance reached `running`. */
  startedAt: string | null;
  uptimeMs: number | null;
  /** ISO time of the scheduled restart while in `backoff`. */
  nextRestartAt: string | null;
  serverInfo: Implementation | null;
  protocolVersion: string | null;
  /** Most recent last. */
  transitions: TransitionRecord[];
}
