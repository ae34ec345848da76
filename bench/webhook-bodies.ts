/** The Alertmanager bodies of bench/webhooks.ts and bench/webhooks-ceiling.ts. */

/** Alerts per post. */
export const PER_POST = 50;
/** Repeats come from this many most recently sent alerts. */
const RECENT = 2000;

/** Alerts as Alertmanager sends them; alert `i` is always the same alert (same fingerprint and startsAt). */
export function alertOf(i: number) {
  return {
    status: 'firing',
    labels: { alertname: `Bench${i % 40}`, instance: `node-${i}:9100`, job: 'node', severity: i % 3 ? 'warning' : 'critical', team: `team-${i % 7}` },
    annotations: { summary: `instance node-${i} is over its threshold`, description: `Value ${i % 100}% for more than 5 minutes on node-${i}.`, runbook_url: 'https://runbooks.example.com/node' },
    startsAt: new Date(Date.UTC(2026, 11, 1) + (i % 86_400) * 1000).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: `http://prometheus:9090/graph?g0.expr=up%7Binstance%3D%22node-${i}%22%7D`,
    fingerprint: i.toString(16).padStart(16, '0'),
  };
}

export function bodyOf(ids: number[]): string {
  return JSON.stringify({
    version: '4', groupKey: '{}:{job="node"}', truncatedAlerts: 0, status: 'firing', receiver: 'mcps',
    groupLabels: { job: 'node' }, commonLabels: { job: 'node' }, commonAnnotations: {}, externalURL: 'http://alertmanager:9093',
    alerts: ids.map(alertOf),
  });
}

/** Picks the ids of the next post: NEW_PER_POST fresh ones, the rest repeats of recently sent ones. */
export function generator(newPerPost: number) {
  let next = 0;
  const pick = (): number[] => {
    const start = next;
    const ids = new Set<number>();
    for (let k = 0; k < newPerPost; k++) ids.add(next++);
    // Repeats come from the RECENT alerts sent before this post (all fresh until there are enough).
    const pool = Math.min(RECENT, start);
    while (ids.size < PER_POST) ids.add(pool < 2 * PER_POST ? next++ : start - 1 - Math.floor(Math.random() * pool));
    return [...ids];
  };
  return { pick };
}

