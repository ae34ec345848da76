import path from 'node:path';
import { inject } from 'vitest';

/**
 * The compiled JavaScript of a TypeScript source given relative to the repository root
 * (`src/main.ts`, `test/fixtures/db/sqlite-counter.ts`), built once per run by the global setup:
 * run it with plain `node`.
 */
export function builtFile(source: string): string {
  return path.join(inject('builtTree'), source.replace(/\.ts$/, '.js'));
}
