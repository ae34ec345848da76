import type { JSONRPCNotification, LoggingMessageNotification } from '@modelcontextprotocol/server';
import { serverAllowed } from '../access/allowlist.js';
import type { GatewaySession } from './gateway-sessions.js';
import type { KeyPolicies } from '../access/key-policies.js';

/**
 * A managed server's `notifications/message` goes to every session that may see that server, as
 * the session's own `logging/setLevel` allows; in the aggregate the logger is prefixed with the
 * server's name.
 */
export function forwardServerLog(sessions: readonly GatewaySession[], policies: Pick<KeyPolicies, 'allowlistFor'>, server: string, notification: JSONRPCNotification): void {
  if (notification.method !== 'notifications/message') return;
  const params = notification.params as LoggingMessageNotification['params'] | undefined;
  if (!params || typeof params.level !== 'string') return;
  for (const s of sessions) {
    if (!s.router.concerns(server) || !s.server.getCapabilities().logging) continue;
    const logger = s.endpoint === null ? (params.logger ? `${server}/${params.logger}` : server) : params.logger;
    void (async () => {
      if (!serverAllowed(await policies.allowlistFor(s.principal), server)) return;
      await s.server.sendLoggingMessage({ ...params, ...(logger ? { logger } : {}) }, s.wire.sessionId);
    })().catch(() => {});
  }
}
