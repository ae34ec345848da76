import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');
/** Sources that test child processes run: the application and the TypeScript fixtures. */
const SOURCES = ['src', 'test/fixtures'];
/** Processes the tests start many times: each is also bundled into one file, in place of its tree file. */
const BUNDLED = ['src/main.ts', 'test/fixtures/db/sqlite-counter.ts', 'test/fixtures/db/lease-contender.ts'];
/**
 * Left out of the bundles (loaded from node_modules as usual): a native addon, pg's optional one, and
 * packages that read files beside their own sources (`__dirname`) when they run.
 */
const NOT_BUNDLED = ['better-sqlite3', 'pg-native', '@fastify/swagger', '@fastify/swagger-ui', 'playwright-core'];

/**
 * Compiles the sources once per run into a fresh folder at the repository root, file for file (the
 * layout of dist/, so import.meta.url paths and the backup worker resolve as in the shipped build).
 * Child processes then start with plain `node` instead of compiling the tree again through tsx at
 * every spawn. The folder sits in the repository so node_modules resolves; package.json is copied
 * beside it for `src/version.ts` and ESM. Returns the folder.
 *
 * The entry points the tests spawn most (the `mcps` CLI above all) are then bundled, dependencies
 * included, each into the one file of its tree path: a process then reads one file instead of some
 * 1,500 modules, which takes a third of the CPU time per start (docs/benchmarks.md, "The test suite").
 */
export async function buildTree(): Promise<string> {
  const outdir = mkdtempSync(path.join(ROOT, '.test-build-'));
  const entryPoints = SOURCES.flatMap((dir) =>
    readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => path.join(ROOT, dir, f)),
  );
  await build({ entryPoints, outdir, outbase: ROOT, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });
  await build({
    entryPoints: BUNDLED.map((f) => path.join(ROOT, f)),
    outdir,
    outbase: ROOT,
    allowOverwrite: true,
    bundle: true,
    // What a command imports only when it runs (`serve`'s HTTP layer) becomes a chunk of its own.
    splitting: true,
    chunkNames: '.chunks/[name]-[hash]',
    external: NOT_BUNDLED,
    plugins: [treeUrls(outdir)],
    // Bundled CommonJS dependencies call require(): give the ES module one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
  });
  copyFileSync(path.join(ROOT, 'package.json'), path.join(outdir, 'package.json'));
  return outdir;
}

/**
 * In a bundle, `import.meta.url` would be the bundle's URL for every module: each source module keeps
 * its own, the URL of its file in the tree (so `../package.json` and the backup worker resolve as before).
 */
function treeUrls(outdir: string): Plugin {
  return {
    name: 'tree-urls',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const inTree = path.join(outdir, path.relative(ROOT, args.path)).replace(/\.ts$/, '.js');
        return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(inTree).href)), loader: 'ts' };
      });
    },
  };
}
