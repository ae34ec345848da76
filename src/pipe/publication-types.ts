import type { Principal } from '../auth/principal.js';

/** Reads the principal of a publication at connection time (see publication-principal.ts). */
export interface PublicationPrincipalResolver {
  resolve(type: 'user' | 'api_key', id: string): Promise<Principal>;
}
