import { describe, expect, it } from 'vitest';
import { createBrowserPool } from './browser-pool.js';

describe('the capture browser pool without Chromium', () => {
  it('says where Chromium was looked for and how to install it, and keeps refusing clearly after close', async () => {
    const pool = createBrowserPool({ chromiumPath: '/nonexistent/chromium', size: 1, recycleAfter: 10, idleMs: 0 });
    await expect(pool.acquire()).rejects.toMatchObject({ code: 'unavailable', message: 'Chromium not found at /nonexistent/chromium: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH' });
    expect(pool.stats()).toMatchObject({ browsers: 0, busy: 0, waiting: 0 });
    await pool.close();
    await expect(pool.acquire()).rejects.toMatchObject({ code: 'unavailable', message: 'the capture browser pool is closed' });
  });

  it('a browser that fails to start is a clear error, and the pool stays usable', async () => {
    const pool = createBrowserPool({ chromiumPath: '/bin/sh', size: 1, recycleAfter: 10, idleMs: 0, launch: () => Promise.reject(new Error('spawn failed\nstack')) });
    await expect(pool.acquire()).rejects.toMatchObject({ code: 'unavailable', message: 'Chromium at /bin/sh did not start: spawn failed' });
    await expect(pool.acquire()).rejects.toMatchObject({ code: 'unavailable' });
    await pool.close();
  });
});
