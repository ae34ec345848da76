import type { AlertEvents } from './alert-events.js';
import type { AlertGroupsRepository } from './alert-groups.repository.js';
import type { Muting } from './alert-muting.js';
import { toAlertView } from './alerts.service.js';
import type { AlertView } from './alerts.schema.js';
import type { AlertGroupRow, AlertRow } from './alerts.table.js';
import { compileRouteTree, groupOf, type MatchedRoute } from './route-tree.js';

export interface DispatcherDeps {
  repo: AlertGroupsRepository;
  events: AlertEvents;
  loadMuting: () => Promise<Muting>;
  now: () => Date;
  /** A listener failed: the group tries again at its next interval. */
  onError?: (err: unknown, groupKey: string) => void;
}

interface PassContext {
  route: ReturnType<typeof compileRouteTree>;
  muting: Muting;
}

interface Bucket {
  route: MatchedRoute;
  labels: Record<string, string>;
  alerts: AlertView[];
}

/** How long a resolved alert stays a candidate for its group's "resolved" notification. */
const RESOLVED_LOOKBACK_MS = 7 * 86_400_000;
/** A light pass also reads alerts received this much before the last pass (their transaction committed after it). */
const LATE_COMMIT_MS = 5_000;
/** A full pass at least this often, whatever happens (catches what light passes do not look at: a silence ending...). */
const FULL_PASS_EVERY_MS = 60_000;

/**
 * Alertmanager's dispatcher over the store: a (full) pass routes the live alerts to their groups,
 * creates a new group with its first flush `group_wait` away, and flushes every group that is due.
 * A flush notifies when a firing alert is new to the group, when one notified before has resolved,
 * or when `repeat_interval` has passed since the last notification; the group's next flush is
 * `group_interval` later. Silenced, inhibited and acknowledged alerts are left out. Timers live in
 * the alert_groups table, so a restart resumes them.
 */
export function createRoutingDispatcher(deps: DispatcherDeps) {
  async function bucketsOf(rows: AlertRow[], ctx?: PassContext): Promise<Map<string, Bucket>> {
    const { route, muting } = ctx ?? (await passContext());
    const buckets = new Map<string, Bucket>();
    for (const row of rows) {
      const view = toAlertView(row, muting);
      for (const r of route(view.labels)) {
        const g = groupOf(r, view.labels);
        const b = buckets.get(g.key) ?? { route: r, labels: g.labels, alerts: [] };
        b.alerts.push(view);
        buckets.set(g.key, b);
      }
    }
    return buckets;
  }

  async function passContext(): Promise<PassContext> {
    return { route: compileRouteTree(await deps.repo.tree()), muting: await deps.loadMuting() };
  }

  async function createGroups(buckets: Map<string, Bucket>, existing: Map<string, AlertGroupRow>, nowMs: number): Promise<void> {
    for (const [key, b] of buckets) {
      const live = b.alerts.filter(notifiable);
      if (existing.has(key) || live.length === 0) continue;
      // group_wait counts from the receipt of the group's first alert, not from this pass (a restart
      // or a slow pass does not delay it).
      const since = Math.min(nowMs, ...live.map((a) => Date.parse(a.first_received_at)));
      const row: AlertGroupRow = {
        key, route_id: b.route.id, receiver: b.route.receiver, group_labels: JSON.stringify(b.labels), next_flush_at: new Date(since + b.route.groupWaitMs).toISOString(),
        last_notified_at: null, last_firing: '[]', last_resolved: '[]', created_at: new Date(nowMs).toISOString(),
      };
      await deps.repo.insertGroup(row);
      existing.set(key, row);
    }
  }

  async function flush(group: AlertGroupRow, bucket: Bucket | undefined, nowMs: number): Promise<void> {
    const lastFiring = new Set<string>(JSON.parse(group.last_firing));
    const firing = (bucket?.alerts ?? []).filter(notifiable);
    const resolved = (bucket?.alerts ?? []).filter((a) => a.status === 'resolved' && lastFiring.has(a.fingerprint));
    const route = bucket?.route;
    const repeatDue = group.last_notified_at !== null && route !== undefined && nowMs - Date.parse(group.last_notified_at) >= route.repeatIntervalMs;
    const changed = firing.some((a) => !lastFiring.has(a.fingerprint)) || resolved.length > 0;
    const next = { next_flush_at: new Date(nowMs + (route?.groupIntervalMs ?? 300_000)).toISOString() };
    if (route && (changed || (repeatDue && firing.length > 0))) {
      const sent = await emit({
        group_key: group.key, route_id: route.id, receiver: route.receiver, channels: route.channels, group_labels: JSON.parse(group.group_labels),
        status: firing.length ? 'firing' : 'resolved', firing, resolved, at: new Date(nowMs).toISOString(),
      });
      if (!sent) return deps.repo.updateGroup(group.key, next);
      await deps.repo.updateGroup(group.key, { last_notified_at: new Date(nowMs).toISOString(), last_firing: JSON.stringify(firing.map((a) => a.fingerprint)), last_resolved: JSON.stringify(resolved.map((a) => a.fingerprint)) });
    }
    // Nothing fires any more (resolved and told, or muted): the group ends, as in Alertmanager.
    if (firing.length === 0) return deps.repo.deleteGroup(group.key);
    await deps.repo.updateGroup(group.key, next);
  }

  async function emit(n: Parameters<AlertEvents['emitNotify']>[0]): Promise<boolean> {
    try {
      await deps.events.emitNotify(n);
      return true;
    } catch (err) {
      deps.onError?.(err, n.group_key);
      return false;
    }
  }

  /** Where the last pass started (the domain's clock): the next light pass reads alerts received since. */
  let cursor: number | null = null;
  let lastFull = -Infinity;
  /** Alerts a light pass has routed, still inside the overlap window (not routed again). */
  const seen = new Map<string, string>();

  /**
   * A full pass routes every live alert, starts the groups missing and flushes the groups that are
   * due. It runs when asked (`tick()`, a change by hand) and at least every FULL_PASS_EVERY_MS.
   * Otherwise a light pass only routes the alerts received since the last pass (a little earlier,
   * for transactions that committed late) to start the groups they need, and flushes the due groups
   * from the alerts carrying their labels. Either way, a group's first flush is `group_wait` after
   * the receipt of its first alert.
   */
  async function tickOnce(mode: PassMode): Promise<void> {
    const nowMs = deps.now().getTime();
    const existing = new Map((await deps.repo.groups()).map((g) => [g.key, g]));
    const since = new Date(nowMs - RESOLVED_LOOKBACK_MS).toISOString();
    if (mode === 'changes' && cursor !== null && nowMs - lastFull < FULL_PASS_EVERY_MS && nowMs >= cursor) {
      await lightPass(existing, nowMs);
      // The due groups are flushed from the alerts carrying their labels, not the whole live table.
      const due = [...existing.values()].filter((g) => Date.parse(g.next_flush_at) <= nowMs);
      if (due.length === 0) return;
      // One group at a time, letting other work (webhook posts) run in between: a big group costs
      // a while to load and render, and on SQLite queries hold the event loop.
      // Groups falling due together (their first alerts came together) share one read: each read
      // scans the live alerts, and forty groups due at once cost forty scans (the bench's third round).
      const ctx = await passContext();
      for (let i = 0; i < due.length; i += DUE_PER_READ) {
        const some = due.slice(i, i + DUE_PER_READ);
        const buckets = await bucketsOf(await deps.repo.liveAlertsOfGroups(since, some.map((g) => JSON.parse(g.group_labels) as Record<string, string>)), ctx);
        for (const g of some) {
          await flush(g, buckets.get(g.key), nowMs);
          await yieldToIo();
        }
      }
      return;
    }
    seen.clear();
    cursor = nowMs;
    lastFull = nowMs;
    const buckets = await bucketsOf(await deps.repo.liveAlerts(since));
    await createGroups(buckets, existing, nowMs);
    for (const g of existing.values()) if (Date.parse(g.next_flush_at) <= nowMs) await flush(g, buckets.get(g.key), nowMs);
  }

  /**
   * New alerts since the last pass start their groups. Most belong to groups that exist already: only
   * their labels are read and routed (in slices, letting webhook posts run in between); the whole
   * rows, with silences and inhibitions, only of alerts that would start a group.
   */
  async function lightPass(existing: Map<string, AlertGroupRow>, nowMs: number): Promise<void> {
    const since = new Date(cursor! - LATE_COMMIT_MS).toISOString();
    for (const [id, at] of seen) if (at < since) seen.delete(id);
    const fresh = (await deps.repo.receivedSince(since)).filter((r) => !seen.has(r.id));
    cursor = nowMs;
    for (const r of fresh) seen.set(r.id, r.first_received_at);
    if (fresh.length === 0) return;
    const route = compileRouteTree(await deps.repo.tree());
    const starting: string[] = [];
    for (let i = 0; i < fresh.length; i += SLICE) {
      for (const r of await deps.repo.labelsByIds(fresh.slice(i, i + SLICE).map((f) => f.id))) {
        const labels = JSON.parse(r.labels) as Record<string, string>;
        if (route(labels).some((m) => !existing.has(groupOf(m, labels).key))) starting.push(r.id);
      }
      await yieldToIo();
    }
    if (starting.length > 0) await createGroups(await bucketsOf(await deps.repo.alertsByIds(starting)), existing, nowMs);
  }

  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  let queuedMode: PassMode = 'changes';
  const begin = (mode: PassMode) => (running = tickOnce(mode).finally(() => (running = null)));
  return {
    /** Resolves when no pass runs or is queued (a stop waits for it before the database closes). */
    async idle(): Promise<void> {
      while (running || queued) await (queued ?? running)!.catch(() => undefined);
    },

    /**
     * One pass that starts after this call: a full one unless `mode` is 'changes' (tests call it
     * after moving the clock). Passes never overlap, and callers that come while one runs share the
     * single pass queued after it (full if any of them asked for full).
     */
    async tick(mode: PassMode = 'full'): Promise<void> {
      if (!running) return begin(mode);
      if (mode === 'full') queuedMode = 'full';
      queued ??= running.catch(() => undefined).then(() => {
        const m = queuedMode;
        queued = null;
        queuedMode = 'changes';
        return begin(m);
      });
      return queued;
    },
  };
}

export type PassMode = 'full' | 'changes';

/** Due groups whose alerts are read in one query. */
const DUE_PER_READ = 16;
/** Alerts routed between two turns of the event loop in a light pass. */
const SLICE = 500;
const yieldToIo = () => new Promise((resolve) => setImmediate(resolve));

function notifiable(a: AlertView): boolean {
  return a.status === 'firing' && !a.acked_at && a.silenced_by.length === 0 && a.inhibited_by.length === 0;
}

export type RoutingDispatcher = ReturnType<typeof createRoutingDispatcher>;
