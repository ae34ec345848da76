import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * Returns the key stored in `file`, creating it with `bytes` random bytes (mode 0600) if it does not
 * exist. Creation uses O_EXCL, so two processes starting at once agree on one key.
 */
export function readOrCreateKeyFile(file: string, bytes: number): Buffer {
  try {
    return decode(readFileSync(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(bytes);
  try {
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, key.toString('base64') + '\n');
    } finally {
      closeSync(fd);
    }
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return decode(readFileSync(file, 'utf8'), file);
    throw err;
  }
}

function decode(text: string, file: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length < 16) throw new Error(`key file ${file} is empty or corrupt; remove it to generate a new key`);
  return key;
}
