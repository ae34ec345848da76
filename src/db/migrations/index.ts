import type { Migration } from 'kysely';
import * as m001 from './001-foundation.js';

/**
 * Every migration, in order. Listed statically (not read from disk) so the same list works from
 * source (tsx, vitest) and from the compiled dist/. Names never change once released.
 */
export const migrations: Record<string, Migration> = {
  '001-foundation': m001,
};
