import { isIP } from 'node:net';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import type { Browser } from 'playwright-core';
import type { CaptureConfig } from '../config.js';
import type { Database } from '../db/database.js';
import { AppError } from '../http/app-error.js';
import { newId } from '../lib/ids.js';
import { checkUrlToSave, type OutboundGuard } from '../lib/outbound-guard.js';
import type { AuditLog } from '../logs/audit-log.js';
import { createAudited } from '../logs/audited.js';
import { assertPermitted, authorOf, type SecretCaller } from '../secrets/secret-caller.js';
import type { SecretsService } from '../secrets/secrets.service.js';
import { createBrowserPool } from './browser-pool.js';
import { createCaptureHosts } from './capture-hosts.js';
import { createCaptureRepository } from './capture.repository.js';
import type { CaptureInput, CaptureResult, CreateDashboardInput, DashboardView, ScreenshotView, UpdateDashboardInput } from './capture.schema.js';
import type { DashboardRow, ScreenshotRow } from './capture.table.js';
import { newDashboardRow, toDashboardView, updatedDashboardRow } from './dashboard-rows.js';
import { grafanaUrl } from './dashboard-url.js';
import { captureInBrowser } from './page-capture.js';
import { fetchRendered } from './render-api.js';
import { createSparePages } from './spare-pages.js';
import { createScreenshotStore, MIME } from './screenshot-store.js';

const HTTP = ['http:', 'https:'];

export type CaptureCaller = SecretCaller;

export interface CaptureServiceDeps {
  db: Kysely<Database>;
  audit: AuditLog;
  guard: Pick<OutboundGuard, 'assertUrl' | 'check' | 'lookup' | 'fetch'>;
  /** Resolves the dashboards' `${secret:NAME}` token, headers and cookies at the moment of capture. */
  secrets: Pick<SecretsService, 'resolve'>;
  config: CaptureConfig;
  dataDir: string;
  apiPrefix: string;
  /** The `capture.allowed_hosts` runtime setting, read at each capture. */
  allowedHosts: () => readonly string[];
  now?: () => Date;
  /** Launches a browser (the benchmark counts cold launches). */
  launch?: (chromiumPath: string) => Promise<Browser>;
}

/** What to capture: a saved dashboard (id or name) or a page URL on an allowed host, and the overrides. */
export type CaptureTarget = CaptureInput & { dashboard?: string | undefined; url?: string | undefined };

/**
 * Dashboard capture: saved dashboards (admins), captures (operators) through a warm pool of headless
 * Chromium browsers or the Grafana render API, and the screenshots kept in DATA_DIR/screenshots with
 * their retention. Every method checks the caller's permission here (REST and MCP alike).
 */
export function createCaptureService(deps: CaptureServiceDeps) {
  const repo = createCaptureRepository(deps.db);
  const audited = createAudited(deps.audit);
  const now = deps.now ?? (() => new Date());
  const pool = createBrowserPool({ chromiumPath: deps.config.chromiumPath, size: deps.config.browsers, recycleAfter: deps.config.recycleAfter, idleMs: deps.config.idleMs, ...(deps.launch ? { launch: deps.launch } : {}) });
  const store = createScreenshotStore({ repo, dir: path.join(deps.dataDir, 'screenshots'), keepCount: deps.config.keepCount, keepDays: deps.config.keepDays, now });
  const spares = createSparePages();
  const dashboardTarget = (id: string | null) => ({ type: 'dashboard', id });

  async function find(idOrName: string): Promise<DashboardRow> {
    const row = await repo.findDashboard(idOrName);
    if (!row) throw AppError.notFound('Dashboard', idOrName);
    return row;
  }

  async function findShot(id: string): Promise<ScreenshotRow> {
    const row = await repo.findScreenshot(id);
    if (!row) throw AppError.notFound('Screenshot', id);
    return row;
  }

  const view = (row: ScreenshotRow): ScreenshotView => ({
    id: row.id,
    dashboard_id: row.dashboard_id,
    dashboard_name: row.dashboard_name,
    url: row.url,
    mode: row.mode,
    format: row.format,
    mime_type: MIME[row.format],
    bytes: Number(row.bytes),
    width: row.width,
    height: row.height,
    time_from: row.time_from,
    time_to: row.time_to,
    ms: row.ms,
    created_by: row.created_by,
    created_at: row.created_at,
    link: `${deps.apiPrefix}/screenshots/${row.id}/file`,
  });

  /**
   * The target's host name resolved (and its addresses judged) before a browser is taken: a refused
   * address, a name that does not resolve and a DNS server that does not answer are clear errors here.
   */
  async function resolveTarget(url: URL): Promise<void> {
    deps.guard.assertUrl(url, HTTP);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host)) return;
    await new Promise<void>((done, fail) =>
      deps.guard.lookup(host, { all: true }, (err) => {
        if (!err) return done();
        if (err instanceof AppError) return fail(err);
        if (err.code === 'ETIMEOUT') return fail(new AppError('gateway_timeout', `${url.host}: ${err.message}`));
        fail(new AppError('bad_gateway', `${url.host}: ${err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' ? 'host name not resolved' : err.message}`));
      }),
    );
  }

  /** The token as a Bearer header, the headers, the cookies as one Cookie header: values resolved now. */
  async function credentialsOf(d: DashboardRow | null): Promise<Record<string, string>> {
    if (!d) return {};
    const raw = { token: d.token, headers: JSON.parse(d.headers) as Record<string, string>, cookies: JSON.parse(d.cookies) as Record<string, string> };
    const r = await deps.secrets.resolve(raw, { reason: `dashboard capture ${d.name}` });
    const out: Record<string, string> = { ...r.headers };
    if (r.token) out['authorization'] = `Bearer ${r.token}`;
    const cookies = Object.entries(r.cookies).map(([k, v]) => `${k}=${v}`);
    if (cookies.length) out['cookie'] = cookies.join('; ');
    return out;
  }

  /** The URL to open (or to ask the renderer for), its time range and the capture mode. */
  function planOf(d: DashboardRow | null, input: CaptureTarget): { url: URL; mode: 'browser' | 'render'; from: string | null; to: string | null } {
    const mode = input.mode ?? d?.mode ?? 'browser';
    if (mode === 'render' && d?.kind !== 'grafana') throw new AppError('validation', 'the render API mode needs a saved grafana dashboard', { errors: [{ field: 'mode', message: 'render needs a grafana dashboard' }] });
    if (mode === 'render' && input.format === 'pdf') throw new AppError('validation', 'the render API makes PNG images only', { errors: [{ field: 'format', message: 'use png with mode render' }] });
    if (!d || d.kind === 'url') return { url: deps.guard.assertUrl(d ? d.url : input.url!, HTTP), mode, from: null, to: null };
    const from = input.from ?? d.time_from;
    const to = input.to ?? d.time_to;
    const size = { width: input.width ?? d.width, height: input.height ?? d.height, scale: input.scale ?? 1 };
    const url = grafanaUrl(d.url, {
      uid: d.uid!,
      panelId: input.panel_id ?? d.panel_id,
      from,
      to,
      vars: { ...(JSON.parse(d.variables) as Record<string, string>), ...input.vars },
      theme: input.theme ?? d.theme,
      render: mode === 'render' ? size : undefined,
    });
    return { url, mode, from, to };
  }

  async function capture(input: CaptureTarget, caller: CaptureCaller): Promise<CaptureResult & { data: Buffer }> {
    return audited(caller, { action: 'dashboard.capture', target: dashboardTarget(input.dashboard ?? null), details: input.url ? { url: input.url } : {} }, async (details) => {
      assertPermitted(caller, 'dashboards:capture');
      if ((input.dashboard === undefined) === (input.url === undefined))
        throw new AppError('validation', 'give either dashboard (a saved dashboard) or url', { errors: [{ field: 'dashboard', message: 'exactly one of dashboard and url' }] });
      const d = input.dashboard ? await find(input.dashboard) : null;
      const plan = planOf(d, input);
      const hosts = createCaptureHosts(await repo.dashboardUrls(), deps.allowedHosts());
      if (!hosts.allows(plan.url))
        throw new AppError('forbidden', `'${plan.url.host}' is not an allowed capture host: save a dashboard on it, or an admin adds it to the capture.allowed_hosts setting`);
      await resolveTarget(plan.url);
      const headers = await credentialsOf(d);
      const width = input.width ?? d?.width ?? 1600;
      const height = input.height ?? d?.height ?? 900;
      const format = input.format ?? 'png';
      const timeoutMs = (input.timeout_seconds ?? 0) * 1000 || deps.config.timeoutMs;
      const started = Date.now();
      let data: Buffer;
      let blocked: CaptureResult['blocked'] = [];
      if (plan.mode === 'render') data = await fetchRendered(deps.guard, plan.url, headers, timeoutMs);
      else {
        const lease = await pool.acquire();
        try {
          const shot = await captureInBrowser(lease.browser, { url: plan.url, width, height, scale: input.scale ?? 1, theme: input.theme ?? d?.theme ?? null, format, timeoutMs, headers, guard: deps.guard, hosts, spares });
          data = shot.data;
          blocked = shot.blocked;
        } finally {
          const broken = !lease.browser.isConnected();
          await lease.release(broken);
          // The next capture on this browser finds its page open (unless the pool just closed it).
          if (!broken) spares.prepare(lease.browser);
        }
      }
      const size = format === 'png' ? pngSize(data) : { width, height };
      const row = await store.save(
        { id: newId(), dashboard_id: d?.id ?? null, dashboard_name: d?.name ?? null, url: plan.url.toString(), mode: plan.mode, format, ...size, time_from: plan.from, time_to: plan.to, ms: Date.now() - started, created_by: authorOf(caller), created_at: now().toISOString() },
        data,
      );
      Object.assign(details, { screenshot: row.id, bytes: row.bytes, blocked: blocked.length });
      await store.prune();
      return { ...view(row), blocked, data };
    });
  }

  return {
    async listDashboards(caller: CaptureCaller): Promise<{ items: DashboardView[] }> {
      assertPermitted(caller, 'dashboards:read');
      return { items: (await repo.listDashboards()).map(toDashboardView) };
    },

    async getDashboard(id: string, caller: CaptureCaller): Promise<DashboardView> {
      assertPermitted(caller, 'dashboards:read');
      return toDashboardView(await find(id));
    },

    async createDashboard(input: CreateDashboardInput, caller: CaptureCaller): Promise<DashboardView> {
      return audited(caller, { action: 'dashboard.create', target: dashboardTarget(input.name), details: { name: input.name } }, async () => {
        assertPermitted(caller, 'dashboards:manage');
        const row = newDashboardRow(input, now().toISOString());
        await checkUrlToSave(deps.guard, row.url, HTTP, 'url');
        if (await repo.findDashboard(row.name)) throw new AppError('conflict', `a dashboard named '${row.name}' exists`);
        await repo.insertDashboard(row);
        return toDashboardView(row);
      });
    },

    async updateDashboard(id: string, input: UpdateDashboardInput, caller: CaptureCaller): Promise<DashboardView> {
      return audited(caller, { action: 'dashboard.update', target: dashboardTarget(id), details: { fields: Object.keys(input) } }, async () => {
        assertPermitted(caller, 'dashboards:manage');
        const next = updatedDashboardRow(await find(id), input, now().toISOString());
        if (input.url !== undefined) await checkUrlToSave(deps.guard, next.url, HTTP, 'url');
        await repo.updateDashboard(next.id, next);
        return toDashboardView(next);
      });
    },

    /** Removes the dashboard; its screenshots stay (until the retention takes them). */
    async deleteDashboard(id: string, caller: CaptureCaller): Promise<void> {
      await audited(caller, { action: 'dashboard.delete', target: dashboardTarget(id) }, async () => {
        assertPermitted(caller, 'dashboards:manage');
        await repo.deleteDashboard((await find(id)).id);
      });
    },

    capture,

    async listScreenshots(query: { dashboard?: string | undefined; limit: number; offset: number }, caller: CaptureCaller): Promise<{ items: ScreenshotView[]; total: number }> {
      assertPermitted(caller, 'dashboards:read');
      const dashboardId = query.dashboard ? (await find(query.dashboard)).id : undefined;
      const rows = await repo.listScreenshots({ dashboardId, limit: query.limit, offset: query.offset });
      return { items: rows.map(view), total: await repo.countScreenshots(dashboardId) };
    },

    async getScreenshot(id: string, caller: CaptureCaller): Promise<ScreenshotView> {
      assertPermitted(caller, 'dashboards:read');
      return view(await findShot(id));
    },

    async openScreenshot(id: string, caller: CaptureCaller): Promise<{ screenshot: ScreenshotView; stream: Readable }> {
      assertPermitted(caller, 'dashboards:read');
      const row = await findShot(id);
      return { screenshot: view(row), stream: store.open(row) };
    },

    async deleteScreenshot(id: string, caller: CaptureCaller): Promise<void> {
      await audited(caller, { action: 'screenshot.delete', target: { type: 'screenshot', id } }, async () => {
        assertPermitted(caller, 'dashboards:capture');
        await store.remove(await findShot(id));
      });
    },

    /** Applies the screenshot retention now (also after every capture). */
    prune: () => store.prune(),

    /** The browser pool's figures (browsers, busy, waiting, launches). */
    poolStats: () => pool.stats(),

    /** Closes every browser. */
    close: () => pool.close(),
  };
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(data: Buffer): { width: number; height: number } {
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

export type CaptureService = ReturnType<typeof createCaptureService>;
