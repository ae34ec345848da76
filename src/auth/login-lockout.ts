import type { Logger } from 'pino';
import { isoMinus } from '../lib/clock.js';
import type { AuditLog } from '../logs/audit-log.js';
import type { LoginAttemptRepository } from './login-attempt.repository.js';

/** Failures older than this no longer count. */
const WINDOW_MS = 60 * 60 * 1000;
/** The first lockout's length; each further failure doubles it, up to MAX_DELAY_MS. */
const BASE_DELAY_MS = 30 * 1000;
const MAX_DELAY_MS = 15 * 60 * 1000;
/** A username failing this many times (MCPS_LOGIN_MAX_FAILURES x) from all addresses together is locked for addresses not known good. */
const ACCOUNT_FACTOR = 4;
/** An address that logged in as the user within this time is known good: other addresses' failures do not lock it out. */
const KNOWN_GOOD_MS = 30 * 24 * 60 * 60 * 1000;

type LockScope = 'address' | 'account';

export interface LoginLockoutDeps {
  attempts: Pick<LoginAttemptRepository, 'failures' | 'succeededFrom'>;
  maxFailures: number;
  log?: Pick<Logger, 'warn'> | undefined;
  audit?: Pick<AuditLog, 'record'> | undefined;
}

/** Milliseconds left of the lockout `count` failures (the latest at `last`) earn past `threshold`. */
function remainingMs(f: { count: number; last: string | null }, threshold: number): number {
  if (f.count < threshold || f.last === null) return 0;
  const delay = Math.min(BASE_DELAY_MS * 2 ** Math.min(f.count - threshold, 30), MAX_DELAY_MS);
  return Math.max(0, Date.parse(f.last) + delay - Date.now());
}

/**
 * Login lockout per username AND address, with a delay that doubles with each further failure (a
 * refused attempt counts too), so failures from one address never lock the user out from another.
 * Many failures from many addresses together lock the username too, except for addresses the user
 * logged in from lately. Each lockout is alerted: a warning in the system log, an `auth.lockout`
 * operation-log row (username and address) and the `mcps_auth_lockouts_total` counter.
 */
export function createLoginLockout(deps: LoginLockoutDeps) {
  const lockouts: Record<LockScope, number> = { address: 0, account: 0 };
  const accountThreshold = deps.maxFailures * ACCOUNT_FACTOR;

  const counts = async (username: string, ip: string) => {
    const since = isoMinus(WINDOW_MS);
    return { mine: await deps.attempts.failures(username, since, ip), all: await deps.attempts.failures(username, since) };
  };

  const alert = async (username: string, ip: string, scope: LockScope, failures: number, retryAfterSeconds: number) => {
    lockouts[scope]++;
    deps.log?.warn({ username, ip, scope, failures, retry_after_seconds: retryAfterSeconds }, 'login locked out after repeated failures');
    await deps.audit?.record({
      actor: { type: 'anonymous', name: username },
      action: 'auth.lockout',
      target: { type: 'user', id: username },
      outcome: 'failure',
      statusCode: 429,
      ip,
      details: { username, ip, scope, failures, retry_after_seconds: retryAfterSeconds },
    });
  };

  return {
    /** Seconds until `username` may try again from `ip`; 0 when it may now. */
    async retryAfterSeconds(username: string, ip: string): Promise<number> {
      const { mine, all } = await counts(username, ip);
      let ms = remainingMs(mine, deps.maxFailures);
      if (ms === 0 && remainingMs(all, accountThreshold) > 0 && !(await deps.attempts.succeededFrom(username, ip, isoMinus(KNOWN_GOOD_MS)))) {
        ms = remainingMs(all, accountThreshold);
      }
      return Math.ceil(ms / 1000);
    },

    /** After a failed attempt was recorded: alerts when it is the one that starts a lockout. */
    async failed(username: string, ip: string): Promise<void> {
      const { mine, all } = await counts(username, ip);
      if (mine.count === deps.maxFailures) await alert(username, ip, 'address', mine.count, Math.ceil(remainingMs(mine, deps.maxFailures) / 1000));
      if (all.count === accountThreshold) await alert(username, ip, 'account', all.count, Math.ceil(remainingMs(all, accountThreshold) / 1000));
    },

    /** Lockouts started since the process began, per scope (Prometheus). */
    metrics: () => ({ lockouts_total: { ...lockouts } }),
  };
}

export type LoginLockout = ReturnType<typeof createLoginLockout>;
