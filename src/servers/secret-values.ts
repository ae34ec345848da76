import { createSecretRedactor, type RedactableSecret } from '../secrets/secret-redaction.js';

/** How long a value revealed through an MCP tool stays in the redactor: longer than the recorder's backlog. */
export const REVEALED_VALUE_TTL_MS = 10 * 60 * 1000;

/**
 * The secret values each running server was started with, and values recently revealed through the
 * log-service's `get_secret` tool, so they can be removed from the protocol log, a server's stderr and
 * error messages. Values live in memory only, while they may still appear in text bound for a log.
 */
export function createSecretValues(now: () => number = Date.now) {
  const byServer = new Map<string, RedactableSecret[]>();
  const revealed = new Map<string, { secret: RedactableSecret; until: number }>();
  let redactor: (text: string) => string = (t) => t;
  const rebuild = () => {
    redactor = createSecretRedactor([...byServer.values()].flat().concat([...revealed.values()].map((r) => r.secret)));
  };
  const expire = () => {
    const t = now();
    let changed = false;
    for (const [key, r] of revealed) if (r.until <= t) changed = revealed.delete(key) || changed;
    if (changed) rebuild();
  };
  return {
    set(server: string, secrets: RedactableSecret[]): void {
      if (secrets.length === 0 && !byServer.has(server)) return;
      if (secrets.length === 0) byServer.delete(server);
      else byServer.set(server, secrets);
      rebuild();
    },
    /** A value just handed to an MCP client: redact it from the protocol log for `ttlMs`. */
    remember(secret: RedactableSecret, ttlMs = REVEALED_VALUE_TTL_MS): void {
      expire();
      revealed.set(`${secret.name}\0${secret.value}`, { secret, until: now() + ttlMs });
      rebuild();
    },
    redact(text: string): string {
      if (revealed.size > 0) expire();
      return redactor(text);
    },
  };
}

export type SecretValues = ReturnType<typeof createSecretValues>;
