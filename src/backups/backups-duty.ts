import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { createLeaseKeeper } from '../leases/lease-keeper.js';
import { createLeaseRole, type LeaseRole } from '../leases/lease-role.js';
import { createLeasesRepository } from '../leases/leases.repository.js';
import type { BackupScheduler } from './backup-scheduler.js';

/**
 * Several instances on one database write each scheduled backup once (and prune once): the schedule
 * runs on the holder of the `backups.scheduler` lease; a standby takes over when it stops or dies.
 */
export function createBackupsDuty(deps: { db: Kysely<Database>; instanceId: string; ttlMs: number; scheduler: BackupScheduler; log: { warn(obj: object, msg: string): void } }): LeaseRole {
  return createLeaseRole({
    keeper: createLeaseKeeper({ leases: createLeasesRepository(deps.db), holder: deps.instanceId, ttlMs: deps.ttlMs }),
    name: 'backups.scheduler',
    onAcquired: () => deps.scheduler.start(),
    onReleased: () => deps.scheduler.stop(),
    log: deps.log,
  });
}
