import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');
/** Sources that test child processes run: the application and the TypeScript fixtures. */
const SOURCES = ['src', 'test/fixtures'];

/**
 * Compiles the sources once per run into a fresh folder at the repository root, file for file (the
 * layout of dist/, so import.meta.url paths and the backup worker resolve as in the shipped build).
 * Child processes then start with plain `node` instead of compiling the tree again through tsx at
 * every spawn. The folder sits in the repository so node_modules resolves; package.json is copied
 * beside it for `src/version.ts` and ESM. Returns the folder.
 */
export async function buildTree(): Promise<string> {
  const outdir = mkdtempSync(path.join(ROOT, '.test-build-'));
  const entryPoints = SOURCES.flatMap((dir) =>
    readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => path.join(ROOT, dir, f)),
  );
  await build({ entryPoints, outdir, outbase: ROOT, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });
  copyFileSync(path.join(ROOT, 'package.json'), path.join(outdir, 'package.json'));
  return outdir;
}
