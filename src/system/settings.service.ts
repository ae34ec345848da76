import type { Logger } from 'pino';
import type { Config, SettingSource } from '../config.js';
import { nowIso } from '../lib/clock.js';
import type { AuditLog } from '../logs/audit-log.js';
import { createAudited, type AuditCaller } from '../logs/audited.js';
import { SETTING_DESCRIPTIONS, SETTING_ENV, SETTING_KEYS, SETTING_SCHEMAS, settingDefaults, type SettingKey, type SettingValues } from './settings-definitions.js';
import type { SettingsRepository } from './settings.repository.js';
import { validateSettings } from './settings-validation.js';

export interface SettingView {
  key: SettingKey;
  value: unknown;
  default: unknown;
  /** `database`: set through the API; else where the default comes from. */
  source: 'database' | SettingSource;
  /** The environment variable that gives the default, if any. */
  env: string | null;
  description: string;
  updated_at: string | null;
  updated_by: string | null;
}

export interface SettingChange {
  key: SettingKey;
  old: unknown;
  new: unknown;
}

/** Who changes the settings: audited as the actor of the change. */
export type SettingsCaller = AuditCaller;

/** A default given by another domain (e.g. the backup schedule from BACKUP_SCHEDULE). */
export type SettingDefaultOverrides = { [K in SettingKey]?: { value: SettingValues[K]; env?: string } };

export interface SettingsServiceDeps {
  repo: SettingsRepository;
  config: Readonly<Config>;
  log: Pick<Logger, 'warn' | 'error' | 'info'>;
  audit?: AuditLog;
  defaults?: SettingDefaultOverrides;
}

type Listener = (value: unknown, old: unknown) => void;
interface Stored {
  value: unknown;
  updatedAt: string;
  updatedBy: string | null;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The defaults: from the configuration, with the overrides other domains give. */
function defaultsOf(config: Readonly<Config>, overrides: SettingDefaultOverrides = {}) {
  const defaults: SettingValues = { ...settingDefaults(config) };
  const envOf: Partial<Record<SettingKey, string>> = { ...SETTING_ENV };
  for (const [key, d] of Object.entries(overrides) as [SettingKey, { value: unknown; env?: string }][]) {
    (defaults as Record<string, unknown>)[key] = d.value;
    if (d.env) envOf[key] = d.env;
  }
  return { defaults, envOf };
}

/** The stored values that are valid; an invalid one is logged and left out (its default applies). */
async function readStored(repo: SettingsRepository, log: SettingsServiceDeps['log']): Promise<Map<SettingKey, Stored>> {
  const next = new Map<SettingKey, Stored>();
  for (const row of await repo.all()) {
    const key = row.key as SettingKey;
    if (!(key in SETTING_SCHEMAS)) continue;
    let parsed: { success: boolean; data?: unknown };
    try {
      parsed = SETTING_SCHEMAS[key].safeParse(JSON.parse(row.value));
    } catch {
      parsed = { success: false };
    }
    if (!parsed.success) {
      log.warn({ setting: key }, 'a stored runtime setting is not valid; its default applies');
      continue;
    }
    next.set(key, { value: parsed.data, updatedAt: row.updated_at, updatedBy: row.updated_by });
  }
  return next;
}

/**
 * Runtime settings: typed values (`get`), changed through `update` (validated, stored in one
 * transaction, audited with old and new values) and pushed at once to whoever subscribed with
 * `onChange`. `refresh` re-reads the table, so instances sharing a database follow each other.
 */
export function createSettingsService(deps: SettingsServiceDeps) {
  const { repo, config, log } = deps;
  const audited = deps.audit ? createAudited(deps.audit) : null;
  const { defaults, envOf } = defaultsOf(config, deps.defaults);
  let stored = new Map<SettingKey, Stored>();
  const listeners = new Map<SettingKey, Set<Listener>>();
  let timer: NodeJS.Timeout | null = null;
  /** Bumped by every local update, so a refresh that read the table before it does not undo it. */
  let generation = 0;

  const effective = (key: SettingKey, from = stored): unknown => (from.has(key) ? from.get(key)!.value : defaults[key]);

  const notify = (key: SettingKey, value: unknown, old: unknown) => {
    for (const fn of listeners.get(key) ?? []) {
      try {
        fn(value, old);
      } catch (err) {
        log.error({ err, setting: key }, 'applying a runtime setting failed');
      }
    }
  };

  const read = () => readStored(repo, log);

  /** Swaps in a new stored map and tells subscribers about every value that changed. */
  const install = (next: Map<SettingKey, Stored>): SettingChange[] => {
    const before = stored;
    stored = next;
    const changes: SettingChange[] = [];
    for (const key of SETTING_KEYS) {
      const old = effective(key, before);
      const value = effective(key, next);
      if (!same(old, value)) {
        changes.push({ key, old, new: value });
        notify(key, value, old);
      }
    }
    return changes;
  };

  return {
    /** Reads the stored values. Call once before use. */
    async load(): Promise<void> {
      install(await read());
    },

    get<K extends SettingKey>(key: K): SettingValues[K] {
      return effective(key) as SettingValues[K];
    },

    list(): SettingView[] {
      return SETTING_KEYS.map((key) => {
        const s = stored.get(key);
        const env = envOf[key] ?? null;
        return {
          key,
          value: effective(key),
          default: defaults[key],
          source: s ? 'database' : env ? (config.settingSources[env]?.source ?? 'default') : 'default',
          env,
          description: SETTING_DESCRIPTIONS[key],
          updated_at: s?.updatedAt ?? null,
          updated_by: s?.updatedBy ?? null,
        };
      });
    },

    /**
     * Validates every given key (all or nothing), stores the values (null: back to the default),
     * applies them at once and writes one operation-log row with the old and new values.
     */
    async update(patch: Record<string, unknown>, caller: SettingsCaller): Promise<{ changes: SettingChange[]; settings: SettingView[] }> {
      const apply = async (details: Record<string, unknown>) => {
        const valid = validateSettings(patch, config.settingSources);
        const at = nowIso();
        const by = caller.actor.name ?? caller.actor.id ?? null;
        await repo.write([...valid].map(([key, value]) => ({ key, value: value === null ? null : JSON.stringify(value) })), at, by);
        generation++;
        const next = new Map(stored);
        for (const [key, value] of valid) {
          if (value === null) next.delete(key);
          else next.set(key, { value, updatedAt: at, updatedBy: by });
        }
        const changes = install(next);
        Object.assign(details, { changes, reset: [...valid].filter(([, v]) => v === null).map(([k]) => k) });
        if (changes.length > 0) log.info({ changes: changes.map((c) => c.key), by }, 'runtime settings changed');
        return { changes, settings: this.list() };
      };
      const target = { type: 'settings', id: Object.keys(patch).join(',') || null };
      return audited ? audited(caller, { action: 'system.config.update', target }, apply) : apply({});
    },

    /** Calls `fn(value, old)` whenever the effective value of `key` changes. Returns the unsubscribe. */
    onChange<K extends SettingKey>(key: K, fn: (value: SettingValues[K], old: SettingValues[K]) => void): () => void {
      let set = listeners.get(key);
      if (!set) listeners.set(key, (set = new Set()));
      const l = fn as Listener;
      set.add(l);
      return () => void set.delete(l);
    },

    /** Re-reads the table (another instance may have changed it) and applies what changed. */
    async refresh(): Promise<SettingChange[]> {
      const before = generation;
      const next = await read();
      return generation === before ? install(next) : [];
    },

    startRefresh(intervalMs: number): void {
      if (timer) return;
      timer = setInterval(() => {
        this.refresh().catch((err: unknown) => log.error({ err }, 'reading runtime settings failed'));
      }, intervalMs);
      timer.unref();
    },

    stop(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
