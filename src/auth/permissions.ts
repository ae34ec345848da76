import { ROLE_RANK, type Role } from './roles.js';

/**
 * The permission matrix: each permission names the lowest role that holds it. This is the one place
 * that says who may do what; every /api route declares the permission it needs (see http/auth-guard.ts).
 */
export const PERMISSIONS = {
  'profile:read': 'viewer',
  'profile:write': 'viewer',
  'users:read': 'admin',
  'users:write': 'admin',
  'api_keys:read': 'admin',
  'api_keys:write': 'admin',
  'logs:read': 'viewer',
  'logs:audit:read': 'operator',
  'logs:delete': 'admin',
  // Log analysis (src/analyzer): reading files under LOG_ROOTS is for everyone signed in; writing a
  // report into DATA_DIR/exports is for operators.
  'logs:analyze': 'viewer',
  'logs:export': 'operator',
  'system:read': 'viewer',
  // Runtime settings: operators read them (no secret is among them); only admins change them.
  'system:config:read': 'operator',
  'system:config:write': 'admin',
  // Secrets: metadata is for operators; writing and reading values (each read audited) for admins.
  'secrets:read': 'operator',
  'secrets:write': 'admin',
  'secrets:reveal': 'admin',
  // Managed MCP servers: read for viewers; start/stop/call for operators; create and change (command,
  // args, env, cwd, URL: code execution on the host), import and export for admins.
  'servers:read': 'viewer',
  'servers:operate': 'operator',
  'servers:write': 'admin',
  // Publications (mcp_pipe): who sees them, and who may expose a server or the gateway to a remote
  // WebSocket endpoint (an outsider then calls its tools): admins only.
  'publications:read': 'viewer',
  'publications:write': 'admin',
  // Backups hold password hashes and secret ciphertext: operators may list and verify them; creating,
  // downloading, uploading, deleting and restoring is for admins.
  'backups:read': 'operator',
  'backups:write': 'admin',
  'backups:restore': 'admin',
  // The MCP gateway (/mcp): connecting lists and calls tools, so it needs what calling a tool needs;
  // the catalogue and sessions are for operators; approving a changed tool definition and closing
  // sessions are for admins.
  'gateway:use': 'operator',
  'gateway:read': 'operator',
  'gateway:manage': 'admin',
  // Object storage: listing buckets and downloading logs for operators; profiles (an endpoint the
  // platform connects to, credentials by reference) for admins.
  'storage:read': 'operator',
  'storage:download': 'operator',
  'storage:manage': 'admin',
  // Alerts (src/alerts): everyone signed in sees them; operators acknowledge, resolve, note and silence;
  // admins manage receivers (credentials by reference), inhibition rules and the routing tree.
  'alerts:read': 'viewer',
  'alerts:write': 'operator',
  'alerts:manage': 'admin',
  // Batch jobs: seeing batches and their items for viewers; starting and cancelling for operators
  // (each item also needs what its operation needs, checked as the batch's creator).
  'jobs:read': 'viewer',
  'jobs:write': 'operator',
  // Notifications: the channels and the delivery log for operators, who may also send (and test); a
  // channel (an endpoint the platform posts to, tokens by reference) is for admins.
  'notify:read': 'operator',
  'notify:send': 'operator',
  'notify:manage': 'admin',
  // Dashboard capture: the saved dashboards and the screenshots for everyone signed in; capturing (a
  // browser run against a dashboard host) and deleting screenshots for operators; dashboards (a URL the
  // platform opens, credentials by reference) for admins.
  'dashboards:read': 'viewer',
  'dashboards:capture': 'operator',
  'dashboards:manage': 'admin',
  // Health checks and monitors: everyone signed in sees them; operators run one now; only admins
  // create them or run an ad-hoc check (both reach internal hosts; never metadata addresses).
  'monitors:read': 'viewer',
  'monitors:run': 'operator',
  'monitors:write': 'admin',
  'monitors:check': 'admin',
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof PERMISSIONS;

export function roleHas(role: Role, permission: Permission): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[PERMISSIONS[permission]];
}

export function permissionsOf(role: Role): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => roleHas(role, p));
}
