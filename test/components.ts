/** Real components some suites need (see `needs()` in test/helpers/needs.ts). The global setup probes them once per run. */
export type Component = 'postgres' | 'redis' | 'chromium' | 'alertmanager' | 'haproxy';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
/** The system Chromium the console's end-to-end tests drive (CHROMIUM_PATH overrides; `.ci/run` installs it). */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/** Prometheus Alertmanager (Debian package prometheus-alertmanager; ALERTMANAGER_PATH overrides; `.ci/run` installs it). */
export const ALERTMANAGER_PATH = process.env['ALERTMANAGER_PATH'] ?? '/usr/bin/prometheus-alertmanager';

/** HAProxy (Debian package haproxy; HAPROXY_PATH overrides), the load balancer of the several-instances tests (test/scale). */
export const HAPROXY_PATH = process.env['HAPROXY_PATH'] ?? '/usr/sbin/haproxy';

export type Availability = Record<Component, boolean>;

declare module 'vitest' {
  export interface ProvidedContext {
    components: Availability;
    /** The folder holding the compiled sources (test/build-tree.ts). */
    builtTree: string;
  }
}
