import type { Insertable, Selectable } from 'kysely';

/**
 * A saved dashboard: a page URL (`kind: 'url'`), or a Grafana base URL and dashboard uid (`kind:
 * 'grafana'`, optionally one panel). Credentials are `${secret:NAME}` references, resolved at capture.
 */
export interface DashboardTable {
  id: string;
  name: string;
  kind: 'url' | 'grafana';
  /** The page (url) or the Grafana base URL, e.g. https://grafana.example.com/ (grafana). */
  url: string;
  uid: string | null;
  panel_id: number | null;
  /** browser: headless Chromium; render: the Grafana image renderer (`/render/d/...`). */
  mode: 'browser' | 'render';
  /** A Grafana service-account token, `${secret:NAME}`: sent as a Bearer token to the dashboard's own origin. */
  token: string | null;
  /** JSON object: header name -> value (values may hold `${secret:NAME}`). */
  headers: string;
  /** JSON object: cookie name -> value (values may hold `${secret:NAME}`). */
  cookies: string;
  time_from: string;
  time_to: string;
  /** JSON object: Grafana variable name -> value or values. */
  variables: string;
  width: number;
  height: number;
  theme: 'light' | 'dark' | null;
  description: string | null;
  created_at: string;
  updated_at: string;
}

/** A capture kept under DATA_DIR/screenshots (`file` is relative to it). */
export interface ScreenshotTable {
  id: string;
  dashboard_id: string | null;
  dashboard_name: string | null;
  url: string;
  mode: 'browser' | 'render';
  format: 'png' | 'pdf';
  file: string;
  bytes: number;
  width: number;
  height: number;
  time_from: string | null;
  time_to: string | null;
  ms: number;
  created_by: string | null;
  created_at: string;
}

export type DashboardRow = Selectable<DashboardTable>;
export type NewDashboardRow = Insertable<DashboardTable>;
export type ScreenshotRow = Selectable<ScreenshotTable>;
