import type { Placement } from './server-config.js';
import type { ServerStatus } from './supervision/server-status.js';

/**
 * Several instances on one database (src/cluster/): where a server runs. A server of placement 'one'
 * runs on the instance holding the `managed-servers` lease; one of placement 'every' on each instance.
 * Without it (the default), every server runs here.
 */
export interface ServersPlacement {
  /** This instance's id. */
  readonly instanceId: string;
  /** Whether a server of this placement runs on this instance. */
  runsHere(placement: Placement): boolean;
  /** A server of placement 'one' that runs elsewhere: the instance and the status it last published. */
  elsewhere(server: string): { instance: string | null; status: ServerStatus | null };
}
