import { AppError, type FieldError } from '../http/app-error.js';
import { SETTING_KEYS, SETTING_SCHEMAS, type SettingKey } from './settings-definitions.js';

/**
 * Checks a settings change as a whole: every key known and runtime-changeable, every value valid
 * (null = back to the default). Returns the parsed values, or throws one validation AppError listing
 * every problem (`body.<key>[.<path>]`), so nothing is stored unless everything is right.
 */
export function validateSettings(patch: Record<string, unknown>, restartOnly: Readonly<Record<string, unknown>>): Map<SettingKey, unknown | null> {
  const errors: FieldError[] = [];
  const valid = new Map<SettingKey, unknown | null>();
  if (Object.keys(patch).length === 0) errors.push({ field: 'body', message: 'give at least one setting' });
  for (const [key, raw] of Object.entries(patch)) {
    const keyProblem = settingKeyProblem(key, restartOnly);
    if (keyProblem !== null) {
      errors.push({ field: `body.${key}`, message: keyProblem });
      continue;
    }
    const k = key as SettingKey;
    if (raw === null) {
      valid.set(k, null);
      continue;
    }
    const r = SETTING_SCHEMAS[k].safeParse(raw);
    if (r.success) valid.set(k, r.data);
    else for (const issue of r.error.issues) errors.push({ field: ['body', key, ...issue.path.map(String)].join('.'), message: issue.message });
  }
  if (errors.length > 0) throw new AppError('validation', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  return valid;
}

/** Why `key` cannot be changed at run time (restart-only or unknown), or null for a runtime setting. */
export function settingKeyProblem(key: string, restartOnly: Readonly<Record<string, unknown>>): string | null {
  // Own keys only: `constructor` or `__proto__` are in every object and are no setting.
  if (Object.hasOwn(SETTING_SCHEMAS, key)) return null;
  return Object.hasOwn(restartOnly, key)
    ? `'${key}' cannot change at run time: set it in the environment (or .env) and restart`
    : `unknown setting; runtime settings are: ${SETTING_KEYS.join(', ')}`;
}
