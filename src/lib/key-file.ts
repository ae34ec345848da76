import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Returns the key stored in `file`, creating it with `bytes` random bytes (mode 0600) if it does not
 * exist. The key is written whole to a file of this process's own, then linked into place (a link
 * never replaces a file): two processes starting at once agree on one key, and neither can read the
 * other's file before it is complete.
 */
export function readOrCreateKeyFile(file: string, bytes: number): Buffer {
  try {
    return decode(readFileSync(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(bytes);
  const draft = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  writeFileSync(draft, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, file);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return decode(readFileSync(file, 'utf8'), file);
    throw err;
  } finally {
    unlinkSync(draft);
  }
}

function decode(text: string, file: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length < 16) throw new Error(`key file ${file} is empty or corrupt; remove it to generate a new key`);
  return key;
}
