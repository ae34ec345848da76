import type { Migration } from 'kysely';
import * as m001 from './001-foundation.js';
import * as m002 from './002-secrets.js';
import * as m003 from './003-servers.js';
import * as m004 from './004-gateway.js';
import * as m005 from './005-settings.js';
import * as m007 from './007-pipe.js';
import * as m008 from './008-leases.js';
import * as m009 from './009-server-desired-state.js';
import * as m010 from './010-storage.js';
import * as m011 from './011-analyzer-templates.js';
import * as m012 from './012-alerts.js';
import * as m013 from './013-jobs.js';
import * as m014 from './014-notify.js';
import * as m015 from './015-capture.js';
import * as m016 from './016-monitors.js';
import * as m017 from './017-session-mode.js';
import * as m019 from './019-alerts-status-index.js';
import * as m020 from './020-oauth.js';
import * as m021 from './021-sso.js';
import * as m022 from './022-cluster-placement.js';
import * as m024 from './024-log-counts.js';

/**
 * Every migration, in order. Listed statically (not read from disk) so the same list works from
 * source (tsx, vitest) and from the compiled dist/. Names never change once released.
 */
export const migrations: Record<string, Migration> = {
  '001-foundation': m001,
  '002-secrets': m002,
  '003-servers': m003,
  '004-gateway': m004,
  '005-settings': m005,
  '007-pipe': m007,
  '008-leases': m008,
  '009-server-desired-state': m009,
  '010-storage': m010,
  '011-analyzer-templates': m011,
  '012-alerts': m012,
  '013-jobs': m013,
  '014-notify': m014,
  '015-capture': m015,
  '016-monitors': m016,
  '017-session-mode': m017,
  '019-alerts-status-index': m019,
  '020-oauth': m020,
  '021-sso': m021,
  '022-cluster-placement': m022,
  '024-log-counts': m024,
};
