import { AppError } from '../http/app-error.js';

/**
 * Secret names and values as accepted from users. Names appear in references (`${secret:NAME}`), URLs,
 * CLI arguments and file names of exports, so they are plain: a letter, then letters, digits, `_ . -`,
 * at most 128 characters, and never `..`. `#`, `}` and `:` can therefore not occur, which keeps
 * references unambiguous.
 */

export const SECRET_NAME_MAX_LENGTH = 128;
export const SECRET_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;
/** Largest accepted value, in UTF-8 bytes. */
export const SECRET_VALUE_MAX_BYTES = 64 * 1024;

/** Why `name` is not a valid secret name, or undefined if it is. The reason never echoes the name. */
export function secretNameProblem(name: string): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'is required';
  if (name.length > SECRET_NAME_MAX_LENGTH) return `must be at most ${SECRET_NAME_MAX_LENGTH} characters`;
  if (/\p{Cc}/u.test(name)) return 'must not contain control characters';
  if (/\s/.test(name)) return 'must not contain whitespace';
  if (/[/\\]/.test(name) || name.includes('..')) return 'must not contain path characters (/, \\ or ..)';
  if (!/^[A-Za-z]/.test(name)) return 'must start with a letter';
  if (!SECRET_NAME_PATTERN.test(name)) return 'may contain only letters, digits, _ . and -';
  return undefined;
}

/** Throws AppError `validation` (field `name`) unless `name` is a valid secret name. */
export function assertValidSecretName(name: string, field = 'name'): void {
  const problem = secretNameProblem(name);
  if (problem) throw new AppError('validation', `Secret name ${problem}`, { errors: [{ field, message: problem }] });
}

/**
 * Throws AppError unless `value` can be stored: a non-empty, well-formed string (no lone surrogates,
 * which UTF-8 cannot carry) of at most SECRET_VALUE_MAX_BYTES bytes (`payload_too_large` if over).
 * Messages never contain the value.
 */
export function assertValidSecretValue(value: string, field = 'value'): void {
  const fail = (code: 'validation' | 'payload_too_large', message: string): never => {
    throw new AppError(code, `Secret value ${message}`, { errors: [{ field, message }] });
  };
  if (typeof value !== 'string' || value.length === 0) fail('validation', 'must not be empty');
  if (/\p{Cs}/u.test(value)) fail('validation', 'must be well-formed Unicode text');
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > SECRET_VALUE_MAX_BYTES)
    fail('payload_too_large', `must be at most ${SECRET_VALUE_MAX_BYTES} bytes (got ${bytes})`);
}
