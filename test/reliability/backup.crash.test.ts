import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bulkAlerts } from './bulk-alerts.js';
import { type CrashFigures, reportFigures } from './crash-figures.js';
import { crashPlatform, randomMs, ROUNDS } from './crash-platform.js';
import { integrityFailures } from './integrity.js';

/**
 * `POST /system/backups` (10,000 alerts in the database) one after another, killed -9 at a random
 * moment within 1.5 times what one whole backup took (calibrated by one first).
 * After every restart: every backup answered 201 is listed and verifies in full; every listed backup
 * verifies (a partial file is never listed: it stays a `.tmp-` file, removed by the next start, or a payload without manifest,
 * counted in the figures); the database passes its integrity check.
 */
describe('crash consistency: backups', () => {
  it(`kill -9 during a backup, ${ROUNDS} times`, async () => {
    const p = await crashPlatform();
    await p.start();
    await bulkAlerts(p, 'a', 10_000);
    const dir = path.join(p.dataDir, 'backups');
    // One backup to the end first: how long one takes on this machine now, so the kills fall inside one.
    const started = performance.now();
    const first = (await p.api<{ id: string }>('POST', '/system/backups', { label: 'whole' })).id;
    const took = performance.now() - started;

    const f: CrashFigures = { case: 'backup', rounds: ROUNDS, kills: 0, acked: 0, lost: 0, duplicates: 0, integrity_failures: 0 };
    const acked = new Set<string>([first]);
    const lost = new Set<string>();
    const duplicates: string[] = [];
    const integrity: string[] = [];
    const verified = new Set<string>();
    const check = async () => {
      const { items } = await p.api<{ items: { id: string }[] }>('GET', '/system/backups');
      const ids = items.map((b) => b.id);
      duplicates.push(...ids.filter((id, i) => ids.indexOf(id) !== i));
      for (const id of acked) if (!ids.includes(id)) lost.add(id);
      // A listed backup is verified once (its files are never written again).
      for (const id of ids.filter((x) => !verified.has(x))) {
        verified.add(id);
        const res = await fetch(`${p.run.url}/api/v1/system/backups/${id}/verify`, { method: 'POST', headers: { authorization: (await authHeader()) } });
        if (res.status !== 200) integrity.push(`backup ${id} listed but does not verify: ${res.status} ${await res.text()}`);
      }
    };
    let token = '';
    const authHeader = async () => {
      if (!token) {
        const key = await p.api<{ key: string }>('POST', '/auth/api-keys', { name: 'verify', role: 'admin' });
        token = `Bearer ${key.key}`;
      }
      return token;
    };

    for (let round = 0; round < ROUNDS; round++) {
      if (round > 0) {
        await p.start();
        await check();
      }
      let stop = false;
      const backups = (async () => {
        while (!stop) {
          try {
            acked.add((await p.api<{ id: string }>('POST', '/system/backups', { label: `round ${round}` })).id);
          } catch {
            return;
          }
        }
      })();
      await p.killAfter(randomMs(Math.round(took * 0.2), Math.round(took * 1.5)));
      f.kills++;
      stop = true;
      await backups;
      integrity.push(...(await integrityFailures(p)));
    }
    await p.start();
    await check();
    await p.kill();
    const files = existsSync(dir) ? readdirSync(dir) : [];
    const manifests = new Set(files.filter((n) => n.endsWith('.manifest.json')).map((n) => n.slice(0, -'.manifest.json'.length)));
    const orphans = files.filter((n) => n.endsWith('.backup.gz') && !manifests.has(n.slice(0, -'.backup.gz'.length)));
    expect(acked.size).toBeGreaterThan(0);
    f.acked = acked.size;
    f.lost = lost.size;
    f.duplicates = duplicates.length;
    f.integrity_failures = integrity.length;
    f.extra = { listed: manifests.size, temp_files_left: files.filter((n) => n.startsWith('.tmp-')).length, payloads_without_manifest: orphans.length };
    reportFigures(f, { lost: [...lost], duplicates, integrity });
    // The last start removed what the killed backups left (their writers' pids are gone).
    expect(f.extra?.['temp_files_left'], 'partial .tmp- files left after the last start').toBe(0);
  });
});
