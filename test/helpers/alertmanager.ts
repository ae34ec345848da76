import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ALERTMANAGER_PATH } from '../components.js';
import { freePort } from './free-port.js';
import { waitFor } from './wait-for.js';

export interface RunningAlertmanager {
  url: string;
  /** What it printed (for a failing test's message). */
  output(): string;
  /** POST /api/v2/alerts, as Prometheus does. */
  postAlerts(alerts: unknown[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real Prometheus Alertmanager on a free loopback port with `configYaml`, its own storage under
 * `dir`, clustering off. Ready when /-/ready answers 200.
 */
export async function startAlertmanager(dir: string, configYaml: string): Promise<RunningAlertmanager> {
  mkdirSync(path.join(dir, 'data'), { recursive: true });
  const configFile = path.join(dir, 'alertmanager.yml');
  writeFileSync(configFile, configYaml);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(ALERTMANAGER_PATH, [`--config.file=${configFile}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=debug'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`alertmanager exited with ${child.exitCode}:\n${out}`);
    return fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
  }, 20_000, 'alertmanager ready');
  return {
    url,
    output: () => out,
    async postAlerts(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      if (!res.ok) throw new Error(`alertmanager refused the alerts: ${res.status} ${await res.text()}`);
    },
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}
