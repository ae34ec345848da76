import type { Role } from './roles.js';

/** Who is making a request: a logged-in user (JWT) or an API key acting for the user who made it. */
export interface Principal {
  type: 'user' | 'api_key';
  /** The user's id, or the API key's id. */
  id: string;
  /** Username, or the API key's name. */
  name: string;
  role: Role;
  /** The user this principal acts for (the key's owner for API keys). */
  userId: string;
}
