import { readSecret } from './read-secret.js';

/**
 * Reads a secret value: all of piped stdin (so multi-line values such as PEM keys survive), minus one
 * trailing newline; or, on a terminal, one line typed at a hidden prompt.
 */
export async function readSecretValue(prompt: string): Promise<string> {
  if (process.stdin.isTTY) return readSecret(prompt);
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  try {
    return bytes.toString('utf8').replace(/\r?\n$/, '');
  } finally {
    bytes.fill(0);
    for (const c of chunks) c.fill(0);
  }
}
