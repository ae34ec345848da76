import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../http/app-error.js';
import type { SecretLookup } from './secret-reference.js';
import {
  findSecretReferences,
  listReferencedSecretNames,
  resolveReferencesTracked,
} from './secret-reference.js';

const resolveReferences = async <T>(input: T, lookup: SecretLookup): Promise<T> => (await resolveReferencesTracked(input, lookup)).value;

const store: Record<string, string> = {
  GITHUB_TOKEN: 'ghp_latest',
  'GITHUB_TOKEN#1': 'ghp_one',
  'GITHUB_TOKEN#2': 'ghp_latest',
  'db.password': 'p@ss${secret:GITHUB_TOKEN}',
  API_KEY: 'k-123',
};
const lookup: SecretLookup = (name, version) =>
  Promise.resolve(store[version === undefined ? name : `${name}#${version}`]);

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

function thrown(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError');
}

describe('resolveReferences', () => {
  it('replaces the latest version and a pinned version', async () => {
    expect(await resolveReferences('Bearer ${secret:GITHUB_TOKEN}', lookup)).toBe('Bearer ghp_latest');
    expect(await resolveReferences('${secret:GITHUB_TOKEN#1}', lookup)).toBe('ghp_one');
  });

  it('replaces several references in one string, adjacent ones included', async () => {
    const input = 'postgres://app:${secret:db.password}@db/x?key=${secret:API_KEY}${secret:API_KEY#2}&v=${secret:GITHUB_TOKEN#1}';
    store['API_KEY#2'] = 'k-2';
    expect(await resolveReferences(input, lookup)).toBe(
      'postgres://app:p@ss${secret:GITHUB_TOKEN}@db/x?key=k-123k-2&v=ghp_one',
    );
  });

  it('does not resolve references inside substituted values', async () => {
    const spy = vi.fn(lookup);
    expect(await resolveReferences('${secret:db.password}', spy)).toBe('p@ss${secret:GITHUB_TOKEN}');
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('walks records and arrays at any depth, leaving keys and other values alone', async () => {
    const input = {
      command: 'npx',
      args: ['-y', 'server', '--token=${secret:GITHUB_TOKEN}'],
      env: { GITHUB_TOKEN: '${secret:GITHUB_TOKEN}', '${secret:API_KEY}': 'plain', PORT: 8080, DEBUG: true, X: null },
      headers: { Authorization: 'Bearer ${secret:API_KEY}' },
      nested: [{ deep: ['${secret:GITHUB_TOKEN#1}'] }],
    };
    const before = structuredClone(input);
    expect(await resolveReferences(input, lookup)).toEqual({
      command: 'npx',
      args: ['-y', 'server', '--token=ghp_latest'],
      env: { GITHUB_TOKEN: 'ghp_latest', '${secret:API_KEY}': 'plain', PORT: 8080, DEBUG: true, X: null },
      headers: { Authorization: 'Bearer k-123' },
      nested: [{ deep: ['ghp_one'] }],
    });
    expect(input).toEqual(before);
  });

  it('looks each distinct reference up once', async () => {
    const spy = vi.fn(lookup);
    await resolveReferences({ a: '${secret:API_KEY}', b: ['${secret:API_KEY}', '${secret:GITHUB_TOKEN#1}${secret:API_KEY}'] }, spy);
    expect(spy.mock.calls).toEqual([
      ['API_KEY', undefined],
      ['GITHUB_TOKEN', 1],
    ]);
  });

  it('passes input without references through, without lookups', async () => {
    const spy = vi.fn(lookup);
    for (const input of ['plain text', '', '${HOME}/x', '$HOME', '${SECRET:API_KEY}', '${secret}', 'secret:API_KEY', 42, null])
      expect(await resolveReferences(input, spy)).toBe(input);
    expect(await resolveReferences({ env: { A: 'b' }, args: ['c'] }, spy)).toEqual({ env: { A: 'b' }, args: ['c'] });
    expect(spy).not.toHaveBeenCalled();
  });

  it('reads $${secret: as the literal text ${secret:', async () => {
    const spy = vi.fn(lookup);
    expect(await resolveReferences('$${secret:API_KEY} is written as a reference', spy)).toBe(
      '${secret:API_KEY} is written as a reference',
    );
    expect(await resolveReferences('$${secret:x y} ${secret:API_KEY}', spy)).toBe('${secret:x y} k-123');
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('refuses an unknown secret, naming it and where it was used (never an empty string)', async () => {
    const err = await rejection(resolveReferences({ env: { TOKEN: 'x${secret:MISSING}y' } }, lookup));
    expect(err.code).toBe('unprocessable');
    expect(err.message).toBe("Secret 'MISSING' not found (referenced by env.TOKEN)");
    expect(err.details).toMatchObject({ secret: 'MISSING', errors: [{ field: 'env.TOKEN' }] });
  });

  it('refuses an unknown version, naming it', async () => {
    const err = await rejection(resolveReferences('${secret:GITHUB_TOKEN#9}', lookup));
    expect(err.message).toBe("Secret 'GITHUB_TOKEN' version 9 not found");
  });

  it('looks nothing up when any reference is malformed', async () => {
    const spy = vi.fn(lookup);
    await rejection(resolveReferences(['${secret:API_KEY}', '${secret:bad/name}'], spy));
    expect(spy).not.toHaveBeenCalled();
  });

  it('passes errors thrown by the lookup through', async () => {
    const denied = new AppError('forbidden', 'not allowed to read secrets');
    await expect(resolveReferences('${secret:API_KEY}', () => Promise.reject(denied))).rejects.toBe(denied);
  });

  it('reports the secrets it used, for redaction', async () => {
    const { value, secrets } = await resolveReferencesTracked('${secret:API_KEY}:${secret:GITHUB_TOKEN#1}', lookup);
    expect(value).toBe('k-123:ghp_one');
    expect(secrets).toEqual([
      { name: 'API_KEY', version: undefined, value: 'k-123' },
      { name: 'GITHUB_TOKEN', version: 1, value: 'ghp_one' },
    ]);
  });
});

describe('findSecretReferences', () => {
  it('locates each reference with its field and offsets', () => {
    expect(findSecretReferences({ env: { A: 'x${secret:A1}y${secret:B#12}' }, args: ['${secret:C}'] })).toEqual([
      { name: 'A1', version: undefined, field: 'env.A', start: 1, end: 13 },
      { name: 'B', version: 12, field: 'env.A', start: 14, end: 28 },
      { name: 'C', version: undefined, field: 'args[0]', start: 0, end: 11 },
    ]);
  });

  it.each([
    ['unterminated', '${secret:API_KEY', /^Unterminated secret reference at env\.X, position 0/],
    ['empty name', '${secret:}', /^Malformed secret reference at env\.X, position 0/],
    ['empty version', '${secret:A#}', /Malformed/],
    ['version zero', '${secret:A#0}', /Malformed/],
    ['non-numeric version', '${secret:A#latest}', /Malformed/],
    ['negative version', '${secret:A#-1}', /Malformed/],
    ['two versions', '${secret:A#1#2}', /Malformed/],
    ['a path in the name', 'x ${secret:../etc/passwd}', /position 2: the name must not contain path characters/],
    ['whitespace', '${secret: A }', /the name must not contain whitespace/],
    ['a nested reference', '${secret:${secret:A}}', /Malformed/],
    ['a leading digit', '${secret:1A}', /must start with a letter/],
    ['a control character', '${secret:A\u0000}', /control characters/],
  ])('refuses %s without repeating the text', (_, input, message) => {
    const err = thrown(() => findSecretReferences({ env: { X: input } }));
    expect(err.code).toBe('validation');
    expect(err.message).toMatch(message);
    expect(err.message).toContain('env.X');
    expect(err.details?.errors?.[0]?.field).toBe('env.X');
    expect(err.message).not.toContain(input);
    const body = input.slice(input.indexOf('${secret:') + 9);
    if (body.length > 3) expect(err.message).not.toContain(body);
  });

  it('does not echo a value pasted in place of a name', () => {
    const err = thrown(() => findSecretReferences('${secret:sk/live+abc==}'));
    expect(err.message).not.toContain('sk/live');
  });
});

describe('listReferencedSecretNames', () => {
  const config = {
    env: { A: '${secret:TOKEN}', B: '${secret:PINNED#3}', C: '${secret:TOKEN#2} ${secret:BOTH#1}' },
    headers: { X: '${secret:BOTH}', Y: '$${secret:ESCAPED}' },
  };

  it('lists distinct names in order of first use', () => {
    expect(listReferencedSecretNames(config)).toEqual(['TOKEN', 'PINNED', 'BOTH']);
  });

  it('lists only names that follow the latest version, for rotation', () => {
    expect(listReferencedSecretNames(config, { latestOnly: true })).toEqual(['TOKEN', 'BOTH']);
  });

  it('lists nothing for plain configuration', () => {
    expect(listReferencedSecretNames('no refs')).toEqual([]);
    expect(listReferencedSecretNames({ a: ['b', { c: 'd' }] })).toEqual([]);
  });
});
