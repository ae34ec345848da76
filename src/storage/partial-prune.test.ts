import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from '../../test/helpers/temp-dirs.js';
import { PARTIAL_MAX_AGE_MS, prunePartials } from './partial-prune.js';

const tempDir = useTempDirs();

describe('prunePartials', () => {
  it('drops parts no run resumed for a week and their empty folders, keeps recent ones', async () => {
    const dir = tempDir('mcps-partial-');
    const now = Date.now();
    const old = path.join(dir, 'gone', 'a', 'x.part');
    const fresh = path.join(dir, 'kept', 'y.part');
    for (const f of [old, fresh]) {
      mkdirSync(path.dirname(f), { recursive: true });
      writeFileSync(f, 'bytes');
    }
    const then = (now - PARTIAL_MAX_AGE_MS - 60_000) / 1000;
    utimesSync(old, then, then);
    expect(await prunePartials(dir, now)).toBe(1);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(path.join(dir, 'gone'))).toBe(false);
    expect(existsSync(fresh)).toBe(true);
    expect(await prunePartials(path.join(dir, 'absent'), now)).toBe(0);
  });
});
