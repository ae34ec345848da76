import type { Selectable } from 'kysely';

/** One object of the authorization server (see migration 020-oauth). Times in epoch milliseconds. */
export interface OAuthStoreTable {
  model: string;
  id: string;
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  expires_at: number | string | null;
  consumed_at: number | string | null;
}

export type OAuthStoreRow = Selectable<OAuthStoreTable>;
