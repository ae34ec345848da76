import type { CrashPlatform } from './crash-platform.js';

/** Stores `count` alerts labelled `set=<set>` through an Alertmanager receiver (500 per post): rows for a backup or restore to carry. */
export async function bulkAlerts(p: CrashPlatform, set: string, count: number): Promise<void> {
  const token = `bulk-token-${set}-0123456789`;
  await p.api('POST', '/secrets', { name: `BULK_${set.toUpperCase()}`, value: token });
  await p.api('POST', '/alerts/receivers', { name: `bulk-${set}`, kind: 'alertmanager', token: `\${secret:BULK_${set.toUpperCase()}}` });
  for (let i = 0; i < count; i += 500) {
    const alerts = Array.from({ length: Math.min(500, count - i) }, (_, j) => ({
      status: 'firing', labels: { alertname: 'Bulk', set, n: String(i + j) }, annotations: { summary: `bulk alert ${i + j} of set ${set}`.padEnd(200, '.') }, startsAt: '2026-12-01T10:00:00Z',
    }));
    const res = await fetch(`${p.run.url}/api/v1/webhooks/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ version: '4', status: 'firing', alerts }) });
    if (res.status !== 200) throw new Error(`bulk alerts: ${res.status} ${await res.text()}`);
  }
}
