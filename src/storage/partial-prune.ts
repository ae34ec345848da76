import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** How long an interrupted download's parts wait in DATA_DIR/partial for the run that resumes them. */
export const PARTIAL_MAX_AGE_MS = 7 * 24 * 3600_000;

/**
 * Removes parts under `partialDir` not touched for `maxAgeMs` (a download nobody resumed), and the
 * folders left empty. Returns how many files went. A file that vanishes meanwhile is not an error.
 */
export async function prunePartials(partialDir: string, nowMs: number, maxAgeMs = PARTIAL_MAX_AGE_MS): Promise<number> {
  let entries: string[];
  try {
    entries = await readdir(partialDir, { recursive: true });
  } catch {
    return 0;
  }
  let removed = 0;
  const dirs: string[] = [];
  for (const rel of entries) {
    const full = path.join(partialDir, rel);
    const st = await stat(full).catch(() => null);
    if (!st) continue;
    if (st.isDirectory()) dirs.push(full);
    else if (nowMs - st.mtimeMs > maxAgeMs) {
      await rm(full, { force: true });
      removed++;
    }
  }
  for (const d of dirs.sort((a, b) => b.length - a.length)) await rmdir(d).catch(() => undefined); // only when empty
  return removed;
}
