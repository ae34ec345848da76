import { createSecretRedactor, type RedactableSecret } from '../secrets/secret-redaction.js';

/**
 * The secret values each running server was started with, so they can be removed from its protocol
 * log, its stderr and error messages. Values live in memory only, while the server may use them.
 */
export function createSecretValues() {
  const byServer = new Map<string, RedactableSecret[]>();
  let redactor: (text: string) => string = (t) => t;
  const rebuild = () => {
    redactor = createSecretRedactor([...byServer.values()].flat());
  };
  return {
    set(server: string, secrets: RedactableSecret[]): void {
      if (secrets.length === 0 && !byServer.has(server)) return;
      if (secrets.length === 0) byServer.delete(server);
      else byServer.set(server, secrets);
      rebuild();
    },
    redact: (text: string): string => redactor(text),
  };
}

export type SecretValues = ReturnType<typeof createSecretValues>;
