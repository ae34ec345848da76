/** Shapes of the REST answers the console reads (see /openapi.json for the full documents). */
export interface Me {
  type: 'user' | 'api_key';
  id: string;
  name: string;
  role: 'viewer' | 'operator' | 'admin';
  user_id: string;
  permissions: string[];
}

export interface SessionInfo {
  csrf_token: string | null;
  expires_in?: number;
  me: Me;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
  total?: number;
}
