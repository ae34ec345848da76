import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MasterKeyConfigError,
  createMasterKeyRing,
  parseMasterKey,
  parseMasterKeys,
  readDevelopmentMasterKey,
  resolveMasterKeyRing,
} from './master-keys.js';

const k1 = randomBytes(32);
const k2 = randomBytes(32);
const b64 = (b: Buffer) => b.toString('base64');

function configError(fn: () => unknown): MasterKeyConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(MasterKeyConfigError);
    return err as MasterKeyConfigError;
  }
  throw new Error('expected a MasterKeyConfigError');
}

describe('parseMasterKeys', () => {
  it('reads versions newest first and wraps under the first', () => {
    const sut = parseMasterKeys(`v2:${b64(k2)}, v1:${b64(k1)}`);
    expect(sut.currentVersion).toBe('v2');
    expect(sut.versions).toEqual(['v2', 'v1']);
    expect(sut.source).toBe('MCPS_MASTER_KEYS');
    expect(sut.keyFor('v2')).toEqual(k2);
    expect(sut.keyFor('v1')).toEqual(k1);
    expect(sut.keyFor('v3')).toBeUndefined();
  });

  it('accepts base64url and missing padding', () => {
    const sut = parseMasterKeys(`a:${k1.toString('base64url')}`);
    expect(sut.keyFor('a')).toEqual(k1);
  });

  it('hands out copies, so wiping one does not damage the ring', () => {
    const sut = parseMasterKeys(`v1:${b64(k1)}`);
    sut.keyFor('v1')!.fill(0);
    expect(sut.keyFor('v1')).toEqual(k1);
  });

  it('does not show key bytes when logged or serialised', () => {
    const sut = parseMasterKeys(`v2:${b64(k2)},v1:${b64(k1)}`);
    const shown = JSON.stringify(sut) + inspect(sut, { depth: 10, showHidden: true });
    for (const k of [k1, k2]) {
      expect(shown).not.toContain(b64(k));
      expect(shown).not.toContain(k.toString('hex'));
      expect(shown).not.toMatch(/<Buffer/);
    }
  });

  it.each([
    ['an empty value', '', /entry 1 must look like/],
    ['an entry without a version', b64(k1), /entry 1 must look like <version>:<base64 key>/],
    ['an empty entry', `v2:${b64(k2)},,v1:${b64(k1)}`, /entry 2 must look like/],
    ['a trailing comma', `v1:${b64(k1)},`, /entry 2 must look like/],
    ['an upper-case version', `V1:${b64(k1)}`, /key version "V1" must be 1-16 characters a-z or 0-9/],
    ['a version with a dash', `v-1:${b64(k1)}`, /key version "v-1"/],
    ['an empty version', `:${b64(k1)}`, /key version ""/],
    ['a 17-character version', `${'a'.repeat(17)}:${b64(k1)}`, /must be 1-16 characters/],
    ['a repeated version', `v1:${b64(k1)},v1:${b64(k2)}`, /key version v1 is given twice/],
    ['a 16-byte key', `v1:${b64(randomBytes(16))}`, /key v1 must be exactly 32 bytes \(got 16\)/],
    ['a 33-byte key', `v1:${b64(randomBytes(33))}`, /key v1 must be exactly 32 bytes \(got 33\)/],
    ['invalid base64', `v1:${b64(k1).slice(0, 20)}!!${b64(k1).slice(22)}`, /key v1 is not valid base64/],
    ['an empty key', 'v1:', /key v1 must be exactly 32 bytes \(got 0\)/],
    ['the same key under two versions', `v2:${b64(k1)},v1:${b64(k1)}`, /keys v2 and v1 are the same key/],
  ])('refuses %s with one line naming the variable', (_, value, message) => {
    const err = configError(() => parseMasterKeys(value));
    expect(err.variable).toBe('MCPS_MASTER_KEYS');
    expect(err.message).toMatch(/^Invalid configuration: MCPS_MASTER_KEYS: /);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('\n');
    expect(err.message).not.toContain(b64(k1));
    expect(err.message).not.toContain(b64(k1).slice(0, 20));
  });
});

describe('parseMasterKey', () => {
  it('reads one key as version v1', () => {
    const sut = parseMasterKey(` ${b64(k1)}\n`);
    expect(sut.currentVersion).toBe('v1');
    expect(sut.versions).toEqual(['v1']);
    expect(sut.source).toBe('MCPS_MASTER_KEY');
    expect(sut.keyFor('v1')).toEqual(k1);
  });

  it.each([
    ['a short key', b64(randomBytes(31)), /exactly 32 bytes \(got 31\)/],
    ['text that is not base64', 'not a key!', /the key is not valid base64/],
    ['a versioned list', `v1:${b64(k1)}`, /not valid base64/],
  ])('refuses %s naming MCPS_MASTER_KEY', (_, value, message) => {
    const err = configError(() => parseMasterKey(value));
    expect(err.message).toMatch(/^Invalid configuration: MCPS_MASTER_KEY: /);
    expect(err.message).toMatch(message);
  });
});

describe('createMasterKeyRing', () => {
  it('refuses an empty list', () => {
    expect(() => createMasterKeyRing([], 'MCPS_MASTER_KEYS')).toThrow(/MCPS_MASTER_KEYS: no master key given/);
  });

  it('copies the keys it is given', () => {
    const key = Buffer.from(k1);
    const sut = createMasterKeyRing([{ version: 'v1', key }], 'MCPS_MASTER_KEYS');
    key.fill(0);
    expect(sut.keyFor('v1')).toEqual(k1);
  });
});

describe('development key file', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is created once with mode 0600 and read back the same', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mcps-master-'));
    const file = path.join(dir, 'nested', 'master_key');
    const first = readDevelopmentMasterKey(file);
    const second = readDevelopmentMasterKey(file);
    expect(first.source).toBe('file');
    expect(first.currentVersion).toBe('v1');
    expect(second.keyFor('v1')).toEqual(first.keyFor('v1'));
    expect(first.keyFor('v1')).toHaveLength(32);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('refuses a key file of the wrong size', () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mcps-master-'));
    const file = path.join(dir, 'master_key');
    writeFileSync(file, b64(randomBytes(16)) + '\n');
    expect(() => readDevelopmentMasterKey(file)).toThrow(/holds 16 bytes, expected 32/);
  });
});

describe('resolveMasterKeyRing', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const keyFile = () => path.join((dir = mkdtempSync(path.join(tmpdir(), 'mcps-master-'))), 'master_key');

  it('prefers MCPS_MASTER_KEYS, then MCPS_MASTER_KEY', () => {
    const file = keyFile();
    expect(resolveMasterKeyRing({ masterKeys: `v7:${b64(k1)}`, production: true, developmentKeyFile: file }).currentVersion).toBe('v7');
    expect(resolveMasterKeyRing({ masterKey: b64(k2), production: true, developmentKeyFile: file }).keyFor('v1')).toEqual(k2);
  });

  it('refuses both variables at once', () => {
    const err = configError(() =>
      resolveMasterKeyRing({ masterKeys: `v2:${b64(k2)}`, masterKey: b64(k1), production: false, developmentKeyFile: keyFile() }),
    );
    expect(err.message).toMatch(/set either MCPS_MASTER_KEYS or MCPS_MASTER_KEY, not both/);
  });

  it('refuses production without a master key and creates no file', () => {
    const file = keyFile();
    const err = configError(() => resolveMasterKeyRing({ production: true, developmentKeyFile: file }));
    expect(err.message).toMatch(/^Invalid configuration: MCPS_MASTER_KEY: required when ENVIRONMENT=production/);
    expect(() => statSync(file)).toThrow();
  });

  it('uses the key file outside production', () => {
    const file = keyFile();
    const sut = resolveMasterKeyRing({ masterKeys: '', masterKey: undefined, production: false, developmentKeyFile: file });
    expect(sut.source).toBe('file');
    expect(statSync(file).isFile()).toBe(true);
  });
});
