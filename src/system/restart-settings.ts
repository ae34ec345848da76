import type { Config, SettingSource } from '../config.js';
import { isSecretSettingName } from '../lib/credential-mask.js';

export interface RestartSettingView {
  name: string;
  /** As parsed; secrets are masked (null when not set), URLs lose their credentials. */
  value: unknown;
  source: SettingSource;
  secret: boolean;
  /** The runtime setting this variable gives the default of (changeable without restart), if any. */
  runtime_setting: string | null;
}

/**
 * The environment settings that need a restart to change, read-only, with where each came from.
 * Values come already masked from the config (see `settingSources` in config.ts).
 */
export function restartSettings(config: Readonly<Config>, runtime: readonly { key: string; env: string | null }[] = []): RestartSettingView[] {
  const keyOf = new Map(runtime.filter((r) => r.env).map((r) => [r.env!, r.key]));
  return Object.entries(config.settingSources)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, { value, source }]) => ({ name, value, source, secret: isSecretSettingName(name), runtime_setting: keyOf.get(name) ?? null }));
}
