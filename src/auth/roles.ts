export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** Higher rank holds every permission of a lower one (see permissions.ts). */
export const ROLE_RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
