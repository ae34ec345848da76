import { describe, expect, it } from 'vitest';
import { AppError } from '../http/app-error.js';
import {
  SECRET_VALUE_MAX_BYTES,
  assertValidSecretName,
  assertValidSecretValue,
  secretNameProblem,
} from './secret-name.js';

const isValidSecretName = (name: string) => secretNameProblem(name) === undefined;

function appError(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an AppError');
}

describe('secret names', () => {
  it.each(['A', 'GITHUB_TOKEN', 'db.password', 'slack-webhook-2', 'a1.b2_c3-d4', 'x'.repeat(128)])('accepts %s', (name) => {
    expect(secretNameProblem(name)).toBeUndefined();
    expect(isValidSecretName(name)).toBe(true);
    expect(() => assertValidSecretName(name)).not.toThrow();
  });

  it.each([
    ['empty', '', 'is required'],
    ['129 characters', 'x'.repeat(129), 'at most 128'],
    ['a slash', 'prod/db', 'path characters'],
    ['a backslash', 'prod\\db', 'path characters'],
    ['a parent reference', 'a..b', 'path characters'],
    ['only dots', '..', 'path characters'],
    ['a NUL', 'a\u0000b', 'control characters'],
    ['a newline', 'a\nb', 'control characters'],
    ['an escape sequence', 'a\u001b[31m', 'control characters'],
    ['a DEL', 'a\u007f', 'control characters'],
    ['a C1 control', 'a\u0085b', 'control characters'],
    ['a space', 'my secret', 'whitespace'],
    ['a no-break space', 'my\u00a0secret', 'whitespace'],
    ['a leading digit', '1password', 'start with a letter'],
    ['a leading underscore', '_x', 'start with a letter'],
    ['a leading dot', '.env', 'start with a letter'],
    ['a hash', 'a#1', 'only letters'],
    ['a brace', 'a}', 'only letters'],
    ['a colon', 'secret:a', 'only letters'],
    ['a dollar', 'a$b', 'only letters'],
    ['non-ASCII letters', 'pässwort', 'only letters'],
    ['a zero-width space', 'a\u200bb', 'only letters'],
  ])('refuses %s', (_, name, problem) => {
    expect(secretNameProblem(name)).toContain(problem);
    expect(isValidSecretName(name)).toBe(false);
    const err = appError(() => assertValidSecretName(name));
    expect(err.code).toBe('validation');
    expect(err.details?.errors?.[0]?.field).toBe('name');
    expect(err.message).toContain(problem);
  });
});

describe('secret values', () => {
  it.each([
    ['one character', 'x'],
    ['exactly the limit', 'a'.repeat(SECRET_VALUE_MAX_BYTES)],
    ['multi-byte text at the limit', 'é'.repeat(SECRET_VALUE_MAX_BYTES / 2)],
    ['newlines and emoji', 'line1\nline2 🔑'],
  ])('accepts %s', (_, value) => {
    expect(() => assertValidSecretValue(value)).not.toThrow();
  });

  it('refuses an empty value', () => {
    expect(appError(() => assertValidSecretValue('')).code).toBe('validation');
  });

  it('refuses a value over the limit, counted in UTF-8 bytes, without echoing it', () => {
    for (const value of ['a'.repeat(SECRET_VALUE_MAX_BYTES + 1), 'é'.repeat(SECRET_VALUE_MAX_BYTES / 2) + 'a']) {
      const err = appError(() => assertValidSecretValue(value));
      expect(err.code).toBe('payload_too_large');
      expect(err.status).toBe(413);
      expect(err.message).toContain(`at most ${SECRET_VALUE_MAX_BYTES} bytes`);
      expect(err.message.length).toBeLessThan(200);
    }
  });

  it('refuses a lone surrogate, which UTF-8 cannot store', () => {
    const err = appError(() => assertValidSecretValue('abc\ud800'));
    expect(err.code).toBe('validation');
    expect(err.message).not.toContain('abc');
  });
});
