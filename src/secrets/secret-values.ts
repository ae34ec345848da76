import { SYSTEM_CALLER, assertPermitted, type SecretCaller } from './secret-caller.js';
import { parseSecretReason } from './secret-metadata.js';
import { assertValidSecretName } from './secret-name.js';
import type { RevealedSecret } from './secret-reader.js';
import { findSecretReferences, type ResolvedSecret } from './secret-reference.js';
import type { SecretsContext } from './secrets-context.js';

/** The reads of secret values: `reveal` and the resolution of references. Each is audited. */
export function createSecretValues(ctx: SecretsContext) {
  const { audited, reader } = ctx;

  /**
   * Replaces every `${secret:NAME}` / `${secret:NAME#VERSION}` in `input` (strings, arrays, plain
   * objects) by its value, at the moment of use; never store the result. An unknown secret is an
   * AppError naming it. Also returns the values used, for redacting them from output.
   */
  async function resolveTracked<T>(input: T, opts: { caller?: SecretCaller; reason?: string } = {}): Promise<{ value: T; secrets: ResolvedSecret[] }> {
    const caller = opts.caller ?? SYSTEM_CALLER;
    const refs = findSecretReferences(input);
    if (refs.length === 0) return reader.resolve(input);
    const used = [...new Set(refs.map((r) => (r.version === undefined ? r.name : `${r.name}#${r.version}`)))];
    const distinct = new Set(refs.map((r) => r.name));
    const target = distinct.size === 1 ? refs[0]!.name : null;
    return audited(caller, { action: 'secret.resolve', name: target, details: { secrets: used, reason: opts.reason ?? 'reference' } }, async () => {
      assertPermitted(caller, 'secrets:reveal');
      return reader.resolve(input);
    });
  }

  return {
    /** The value of the latest or a given version. Needs a reason, which is audited with the caller. */
    async reveal(name: string, input: { version?: number | undefined; reason: string }, caller: SecretCaller): Promise<RevealedSecret> {
      return audited(caller, { action: 'secret.reveal', name, details: input.version === undefined ? {} : { version: input.version } }, async (details) => {
        assertPermitted(caller, 'secrets:reveal');
        details['reason'] = parseSecretReason(input.reason);
        assertValidSecretName(name);
        const revealed = await reader.reveal(name, input.version);
        details['version'] = revealed.version;
        return revealed;
      });
    },

    resolveTracked,

    async resolve<T>(input: T, opts: { caller?: SecretCaller; reason?: string } = {}): Promise<T> {
      return (await resolveTracked(input, opts)).value;
    },
  };
}
