import path from 'node:path';
import { AppError } from '../http/app-error.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Where an object's key lands under `root` (DATA_DIR/downloads/<profile>), or a refusal: keys are
 * written by whoever fills the bucket, so `..`, `.`, empty segments, absolute paths, backslashes,
 * drive letters, NUL and control characters are refused rather than rewritten, and the result is
 * checked to stay inside `root`. With `gunzip`, a trailing `.gz` is dropped.
 */
export function localPathOf(root: string, key: string, gunzip: boolean): string {
  const refuse = (why: string) => new AppError('validation', `key '${JSON.stringify(key).slice(1, -1)}' refused: ${why}`);
  if (CONTROL.test(key)) throw refuse('it contains control characters');
  if (key.includes('\\')) throw refuse('it contains a backslash');
  if (key.startsWith('/') || /^[A-Za-z]:/.test(key)) throw refuse('it is an absolute path');
  const segments = key.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) throw refuse("it has an empty, '.' or '..' segment");
  if (segments.some((s) => Buffer.byteLength(s) > 255)) throw refuse('a segment is longer than 255 bytes');
  const last = segments.length - 1;
  if (gunzip && segments[last]!.endsWith('.gz') && segments[last] !== '.gz') segments[last] = segments[last]!.slice(0, -3);
  const resolved = path.resolve(root, ...segments);
  if (!resolved.startsWith(path.resolve(root) + path.sep)) throw refuse('it leads outside the download folder');
  return resolved;
}
