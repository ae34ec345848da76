import { AppError } from '../http/app-error.js';
import type { SecretCaller } from '../secrets/secret-caller.js';
import type { SecretsService } from '../secrets/secrets.service.js';
import { newTokenSecretName, planEndpoint, storedWithSecret } from './publication-endpoint.js';

/** The endpoint columns of a publication. */
export interface StoredEndpoint {
  endpoint: string;
  endpoint_display: string;
  token_secret: string | null;
}

/**
 * Keeps a publication's token in the secrets store: a literal token becomes a new version of the
 * publication's own secret (created on first use), references written by the user are checked now
 * (a missing secret is a 422 at publish time, not a failure at the first connection), and a secret
 * no longer needed is deleted. The secrets service checks the caller's permission and audits.
 */
export function createTokenStore(secrets: Pick<SecretsService, 'get' | 'set' | 'delete' | 'resolveTracked'>) {
  const notFound = (err: unknown) => {
    if (err instanceof AppError && err.code === 'not_found') return null;
    throw err;
  };
  /** Deletes the secret unless it is already gone (another instance's sweep may have been first): no failed audit rows. */
  const drop = async (name: string, caller: SecretCaller): Promise<void> => {
    const existing = await secrets.get(name, caller).catch(notFound);
    if (!existing || existing.deleted_at) return;
    await secrets.delete(name, caller).catch(notFound);
  };

  return {
    async store(text: string, previousSecret: string | null, caller: SecretCaller): Promise<StoredEndpoint> {
      const plan = planEndpoint(text);
      let stored: string;
      let tokenSecret: string | null = null;
      if (plan.kind === 'token') {
        tokenSecret = previousSecret ?? newTokenSecretName();
        stored = storedWithSecret(plan.base, tokenSecret);
        await secrets.set(tokenSecret, plan.query, caller);
      } else {
        stored = plan.stored;
        if (plan.kind === 'references') await secrets.resolveTracked(stored, { caller, reason: 'publication endpoint check' });
      }
      if (previousSecret && previousSecret !== tokenSecret) await drop(previousSecret, caller);
      return { endpoint: stored, endpoint_display: plan.display, token_secret: tokenSecret };
    },
    drop,
  };
}
