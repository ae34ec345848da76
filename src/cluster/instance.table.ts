/**
 * A live instance of the platform on this database (several instances, docs/DEPLOYMENT.md): the
 * internal URL the others forward requests to, its heartbeat, and the status of the managed servers
 * it runs (JSON `{ [server]: RemoteStatus }`), so every instance can show them. Times are epoch
 * milliseconds of the database clock.
 */
export interface InstanceTable {
  /** Its lease holder name (src/leases/instance-id.ts). */
  id: string;
  base_url: string;
  started_at: number;
  heartbeat_at: number;
  servers: string;
}
