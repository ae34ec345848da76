import { timingSafeEqual } from 'node:crypto';
import { readOrCreateKeyFile } from '../lib/key-file.js';
import { decodeStrictBase64 } from './strict-base64.js';

/**
 * The master keys (key-encryption keys) that wrap each secret version's data key. Several versions can
 * be configured so data keys wrapped under an old key stay readable until `mcps secrets rewrap` has moved
 * them to the newest one. The ring is built from raw strings; the config module reads the environment.
 */

export const MASTER_KEY_BYTES = 32;
export const MASTER_KEY_VERSION_PATTERN = /^[a-z0-9]{1,16}$/;
/** The version given to a single `MCPS_MASTER_KEY` or a development key file. */
export const SINGLE_MASTER_KEY_VERSION = 'v1';
/** File name of the development key inside DATA_DIR. */
export const DEVELOPMENT_MASTER_KEY_FILE = 'master_key';

const GENERATE_HINT = 'generate one with `openssl rand -base64 32`';

/**
 * A configuration mistake in the master keys. The message is one line in the config module's format
 * (`Invalid configuration: VARIABLE: problem`), names the variable and never contains key material.
 */
export class MasterKeyConfigError extends Error {
  override name = 'MasterKeyConfigError';
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable}: ${problem}`);
  }
}

export type MasterKeySource = 'MCPS_MASTER_KEYS' | 'MCPS_MASTER_KEY' | 'file';

/**
 * Key bytes live in a closure, so logging or serialising the ring shows versions only.
 */
export interface MasterKeyRing {
  /** The newest version: new and re-wrapped data keys are wrapped under it. */
  readonly currentVersion: string;
  /** Every configured version, newest first. */
  readonly versions: readonly string[];
  readonly source: MasterKeySource;
  /** A fresh copy of the key for `version` (the caller wipes it after use), or undefined if not configured. */
  keyFor(version: string): Buffer | undefined;
}

export interface MasterKeyInput {
  version: string;
  key: Buffer;
}

/**
 * Builds a ring from keys listed newest first. Validates versions and lengths; `variable` names the
 * setting in errors. The keys are copied; the caller may wipe its buffers afterwards.
 */
export function createMasterKeyRing(
  keys: readonly MasterKeyInput[],
  source: MasterKeySource,
  variable: string = source,
): MasterKeyRing {
  if (keys.length === 0) throw new MasterKeyConfigError(variable, `no master key given; ${GENERATE_HINT}`);
  const byVersion = new Map<string, Buffer>();
  for (const { version, key } of keys) {
    if (!MASTER_KEY_VERSION_PATTERN.test(version))
      throw new MasterKeyConfigError(variable, `key version ${quote(version)} must be 1-16 characters a-z or 0-9`);
    if (byVersion.has(version)) throw new MasterKeyConfigError(variable, `key version ${version} is given twice`);
    if (key.length !== MASTER_KEY_BYTES)
      throw new MasterKeyConfigError(
        variable,
        `key ${version} must be exactly ${MASTER_KEY_BYTES} bytes (got ${key.length}); ${GENERATE_HINT}`,
      );
    for (const [other, otherKey] of byVersion)
      if (timingSafeEqual(otherKey, key))
        throw new MasterKeyConfigError(variable, `keys ${other} and ${version} are the same key`);
    byVersion.set(version, Buffer.from(key));
  }
  const versions = Object.freeze([...byVersion.keys()]);
  return Object.freeze({
    currentVersion: versions[0]!,
    versions,
    source,
    keyFor(version: string): Buffer | undefined {
      const key = byVersion.get(version);
      return key ? Buffer.from(key) : undefined;
    },
  });
}

/** Parses `MCPS_MASTER_KEYS`: `v2:<base64>,v1:<base64>`, newest first. Whitespace around entries is ignored. */
export function parseMasterKeys(value: string, variable = 'MCPS_MASTER_KEYS'): MasterKeyRing {
  const keys: MasterKeyInput[] = [];
  try {
    for (const [i, raw] of value.split(',').entries()) {
      const entry = raw.trim();
      const colon = entry.indexOf(':');
      if (colon < 0)
        throw new MasterKeyConfigError(variable, `entry ${i + 1} must look like <version>:<base64 key>, newest first`);
      const version = entry.slice(0, colon).trim();
      if (!MASTER_KEY_VERSION_PATTERN.test(version))
        throw new MasterKeyConfigError(variable, `key version ${quote(version)} must be 1-16 characters a-z or 0-9`);
      keys.push({ version, key: decodeKey(entry.slice(colon + 1).trim(), variable, `key ${version}`) });
    }
    return createMasterKeyRing(keys, 'MCPS_MASTER_KEYS', variable);
  } finally {
    for (const k of keys) k.key.fill(0);
  }
}

/** Parses `MCPS_MASTER_KEY` (base64 of 32 bytes) as a ring holding one key, version `v1`. */
export function parseMasterKey(value: string, variable = 'MCPS_MASTER_KEY'): MasterKeyRing {
  const key = decodeKey(value.trim(), variable, 'the key');
  try {
    return createMasterKeyRing([{ version: SINGLE_MASTER_KEY_VERSION, key }], 'MCPS_MASTER_KEY', variable);
  } finally {
    key.fill(0);
  }
}

/**
 * The development master key: read from `file`, or created there once (32 random bytes, mode 0600,
 * O_EXCL so concurrent starts agree). Version `v1`, so it can later be listed in MCPS_MASTER_KEYS as `v1:`.
 */
export function readDevelopmentMasterKey(file: string): MasterKeyRing {
  const key = readOrCreateKeyFile(file, MASTER_KEY_BYTES);
  try {
    if (key.length !== MASTER_KEY_BYTES)
      throw new MasterKeyConfigError(
        'MCPS_MASTER_KEY',
        `key file ${file} holds ${key.length} bytes, expected ${MASTER_KEY_BYTES}; ` +
          'remove it only if no secret was stored with it',
      );
    return createMasterKeyRing([{ version: SINGLE_MASTER_KEY_VERSION, key }], 'file', 'MCPS_MASTER_KEY');
  } finally {
    key.fill(0);
  }
}

export interface ResolveMasterKeyRingInput {
  /** Raw `MCPS_MASTER_KEYS`, if set and non-empty. */
  masterKeys?: string | undefined;
  /** Raw `MCPS_MASTER_KEY`, if set and non-empty. */
  masterKey?: string | undefined;
  /** In production a configured key is required; the key file is never used. */
  production: boolean;
  /** Where the development key lives, normally `<DATA_DIR>/master_key`. */
  developmentKeyFile: string;
}

/**
 * The start-up policy: MCPS_MASTER_KEYS, else MCPS_MASTER_KEY, else (outside production) the development
 * key file. Setting both variables is refused, as is production without either.
 */
export function resolveMasterKeyRing(input: ResolveMasterKeyRingInput): MasterKeyRing {
  const { masterKeys, masterKey } = input;
  if (masterKeys && masterKey)
    throw new MasterKeyConfigError(
      'MCPS_MASTER_KEYS',
      'set either MCPS_MASTER_KEYS or MCPS_MASTER_KEY, not both (list the single key as v1:<key> in MCPS_MASTER_KEYS)',
    );
  if (masterKeys) return parseMasterKeys(masterKeys);
  if (masterKey) return parseMasterKey(masterKey);
  if (input.production)
    throw new MasterKeyConfigError(
      'MCPS_MASTER_KEY',
      `required when ENVIRONMENT=production (or MCPS_MASTER_KEYS); ${GENERATE_HINT}`,
    );
  return readDevelopmentMasterKey(input.developmentKeyFile);
}

function decodeKey(text: string, variable: string, what: string): Buffer {
  const normalised = text.replaceAll('-', '+').replaceAll('_', '/');
  const padded = normalised + '='.repeat((4 - (normalised.length % 4)) % 4);
  const key = decodeStrictBase64(padded);
  if (!key) throw new MasterKeyConfigError(variable, `${what} is not valid base64; ${GENERATE_HINT}`);
  return key;
}

/** Quotes a user-given token for an error message without echoing control characters or long input. */
function quote(text: string): string {
  return JSON.stringify(text.length > 20 ? text.slice(0, 20) + '…' : text);
}
