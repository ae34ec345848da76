/** Real components some suites need. The global setup probes them once per run. */
export type Component = 'postgres' | 'redis' | 'chromium';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const CHROMIUM_PATH = '/usr/bin/chromium';

export type Availability = Record<Component, boolean>;

declare module 'vitest' {
  export interface ProvidedContext {
    components: Availability;
  }
}
