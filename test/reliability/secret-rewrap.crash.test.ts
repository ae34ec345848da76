import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cliArgs, type CliRun } from '../helpers/run-cli.js';
import { type CrashFigures, reportFigures } from './crash-figures.js';
import { crashPlatform, randomMs, ROUNDS, sleep } from './crash-platform.js';
import { integrityFailures } from './integrity.js';

const SECRETS = 300;
const key = () => randomBytes(32).toString('base64');

/**
 * Master key rotation: each round adds a new master key (`MCPS_MASTER_KEYS=k<n+1>:new,k<n>:old`) and
 * runs `mcps secrets rewrap --batch-size 2` over 400 secret versions, killed -9 at a random moment
 * once its first batch is committed,
 * then runs it again to the end. After every kill: every live version is still wrapped under the old
 * or the new key (never neither), no version was added or lost, the database passes its integrity
 * check; the run after it finishes with nothing left under the old key and no failure. At the end the
 * platform, given only the newest key, reveals every secret with the value written.
 */
describe('crash consistency: secret rewrap (master key rotation)', () => {
  it(`kill -9 during mcps secrets rewrap, ${ROUNDS} times`, async () => {
    const keys = [key()];
    const ring = (n: number) => ({ MCPS_MASTER_KEYS: n === 0 ? `k0:${keys[0]}` : `k${n}:${keys[n]},k${n - 1}:${keys[n - 1]}` });
    const p = await crashPlatform();
    await p.start(ring(0));
    const values = new Map<string, string>();
    for (let i = 0; i < SECRETS; i++) {
      const name = `CRASH_${i}`;
      values.set(name, `value-${i}-${randomBytes(12).toString('hex')}`);
      await p.api('POST', '/secrets', { name, value: values.get(name) });
      if (i % 3 === 0) {
        values.set(name, `value-${i}-v2-${randomBytes(12).toString('hex')}`);
        await p.api('PUT', `/secrets/${name}`, { value: values.get(name) });
      }
    }
    await p.kill();
    const versions = () => p.db().db.selectFrom('secret_versions').select(['secret_id', 'version', 'kek_version', 'wrapped_dek', 'destroyed_at']).execute();
    const before = (await versions()).length;

    const moved = async (round: number) =>
      Number((await p.db().db.selectFrom('secret_versions').select((e) => e.fn.countAll<number>().as('n')).where('kek_version', '=', `k${round}`).executeTakeFirstOrThrow()).n);
    /** `mcps secrets rewrap`; with `round`, killed -9 a random 0-60 ms after its first batch under k<round> is seen committed. */
    const rewrap = (env: Record<string, string>, round?: number): Promise<CliRun> =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, cliArgs(['secrets', 'rewrap', '--batch-size', '2']), { cwd: p.home, env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        let exited = false;
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        if (round !== undefined)
          void (async () => {
            while (!exited && (await moved(round)) === 0) await sleep(5);
            await sleep(randomMs(0, 60));
            child.kill('SIGKILL');
          })();
        child.on('close', (code) => {
          exited = true;
          resolve({ code, stdout, stderr });
        });
      });

    const f: CrashFigures = { case: 'secret rewrap', rounds: ROUNDS, kills: 0, acked: values.size, lost: 0, duplicates: 0, integrity_failures: 0 };
    const integrity: string[] = [];
    const duplicates: string[] = [];
    let interrupted = 0;
  let midRun = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      keys.push(key());
      const env = ring(round);
      const cut = await rewrap(env, round);
      f.kills++;
      if (cut.code !== 0) interrupted++;
      integrity.push(...(await integrityFailures(p)));
      const rows = await versions();
      if (rows.length !== before) duplicates.push(`round ${round}: ${rows.length} versions, ${before} before`);
      for (const r of rows.filter((v) => !v.destroyed_at)) {
        if (!r.wrapped_dek || (r.kek_version !== `k${round}` && r.kek_version !== `k${round - 1}`)) integrity.push(`round ${round}: ${r.secret_id} v${r.version} under ${r.kek_version} (${r.wrapped_dek ? 'wrapped' : 'no data key'})`);
      }
      const live = rows.filter((v) => !v.destroyed_at);
      const under = live.filter((v) => v.kek_version === `k${round}`).length;
      if (under > 0 && under < live.length) midRun++;
      const rest = await rewrap(env);
      expect(rest.code, rest.stderr).toBe(0);
      expect(rest.stdout).toMatch(/; 0 still under an older key\n$/);
    }

    // Only the newest key: every value reads back as written.
    await p.start({ MCPS_MASTER_KEYS: `k${ROUNDS}:${keys[ROUNDS]}` });
    const lost: string[] = [];
    for (const [name, value] of values) {
      const got = await p.api<{ value: string }>('POST', `/secrets/${name}/reveal`, { reason: 'crash test: the value after key rotations' }).then((r) => r.value, (e: Error) => `unreadable: ${e.message}`);
      if (got !== value) lost.push(`${name}: ${got.slice(0, 80)}`);
    }
    await p.kill();
    f.lost = lost.length;
    f.duplicates = duplicates.length;
    f.integrity_failures = integrity.length;
    f.extra = { secret_versions: before, runs_cut_by_the_kill: interrupted, cut_between_first_and_last_batch: midRun };
    reportFigures(f, { lost, duplicates, integrity });
  });
});
