import { lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../http/app-error.js';

/** One readable log file, checked to lie under a configured root. */
export interface LogFile {
  /** The real path (symlinks resolved). */
  path: string;
  /** The name shown to people: relative to its root. */
  name: string;
  size: number;
}

/** At most this many files per request; more is refused with a hint to narrow the glob. */
export const MAX_FILES = 2_000;

const GLOB_CHARS = /[*?[\]{}]/;

/**
 * Turns what a caller names (files, directories, globs; absolute or relative to the first root) into
 * regular files under `roots`. Refused with a clear error: a path outside every root (also through a
 * symlink), a device, FIFO or socket, a name that matches nothing.
 */
export async function resolveLogFiles(specs: string[], roots: string[]): Promise<LogFile[]> {
  const resolved = await Promise.all(roots.map(async (r) => realpath(r).catch(() => path.resolve(r))));
  // Real paths first (relative names start at the first); the names as configured too, for a root reached through a symlink.
  const realRoots = [...new Set([...resolved, ...roots.map((r) => path.resolve(r))])];
  const files = new Map<string, LogFile>();
  for (const spec of specs) {
    for (const file of await resolveOne(spec, realRoots)) files.set(file.path, file);
    if (files.size > MAX_FILES) throw new AppError('bad_request', `more than ${MAX_FILES} files match; name fewer files or a narrower glob`);
  }
  if (files.size === 0) throw new AppError('bad_request', 'no input: name files, directories or globs under the log roots, or pass text inline');
  return [...files.values()];
}

async function resolveOne(spec: string, roots: string[]): Promise<LogFile[]> {
  if (spec.includes('\0')) throw new AppError('bad_request', 'a path may not contain NUL');
  const absolute = path.resolve(roots[0] ?? '.', spec);
  if (!GLOB_CHARS.test(spec)) return checkedEntry(absolute, spec, roots);
  const base = globBase(absolute);
  const inside = await insideRoots(base, roots);
  if (!inside) throw outside(spec, roots);
  const { glob } = await import('tinyglobby');
  const found = await glob(path.relative(base, absolute).split(path.sep).join('/'), { cwd: base, absolute: true, onlyFiles: true, followSymbolicLinks: false, dot: false });
  if (found.length === 0) throw new AppError('not_found', `no file matches '${spec}'`);
  if (found.length > MAX_FILES) throw new AppError('bad_request', `${found.length} files match '${spec}' (at most ${MAX_FILES}); use a narrower glob`);
  const out: LogFile[] = [];
  for (const f of found.sort()) out.push(await checkedFile(f, spec, roots));
  return out;
}

async function checkedEntry(absolute: string, spec: string, roots: string[]): Promise<LogFile[]> {
  // Outside the roots by name: refused before looking, so nothing is learnt about files elsewhere.
  if (!roots.some((root) => within(absolute, root))) throw outside(spec, roots);
  const info = await lstat(absolute).catch(() => null);
  if (!info) throw new AppError('not_found', `no such file: '${spec}'`);
  const real = await realpath(absolute);
  if (!(await insideRoots(real, roots))) throw outside(spec, roots);
  const target = await stat(real);
  if (!target.isDirectory()) return [await checkedFile(absolute, spec, roots)];
  const { glob } = await import('tinyglobby');
  const found = await glob('**/*', { cwd: real, absolute: true, onlyFiles: true, followSymbolicLinks: false, dot: false });
  if (found.length > MAX_FILES) throw new AppError('bad_request', `directory '${spec}' holds ${found.length} files (at most ${MAX_FILES}); use a glob`);
  const out: LogFile[] = [];
  for (const f of found.sort()) out.push(await checkedFile(f, spec, roots));
  return out;
}

async function checkedFile(file: string, spec: string, roots: string[]): Promise<LogFile> {
  const real = await realpath(file).catch(() => null);
  if (!real) throw new AppError('not_found', `no such file: '${spec}'`);
  const root = await insideRoots(real, roots);
  if (!root) throw outside(spec, roots);
  const info = await stat(real);
  if (!info.isFile()) throw new AppError('bad_request', `'${spec}' is not a regular file (devices, FIFOs and sockets are refused)`);
  return { path: real, name: path.relative(root, real) || path.basename(real), size: info.size };
}

async function insideRoots(candidate: string, roots: string[]): Promise<string | null> {
  const real = await realpath(candidate).catch(() => path.resolve(candidate));
  return roots.find((root) => within(real, root)) ?? null;
}

const within = (p: string, root: string) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

function globBase(pattern: string): string {
  const parts = pattern.split(path.sep);
  const i = parts.findIndex((p) => GLOB_CHARS.test(p));
  return parts.slice(0, i).join(path.sep) || path.sep;
}

function outside(spec: string, roots: string[]): AppError {
  return new AppError('forbidden', `'${spec}' is outside the log roots (${roots.join(', ')}); set LOG_ROOTS to allow another folder`);
}
