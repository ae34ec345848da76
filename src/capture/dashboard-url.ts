/** What shapes a Grafana URL: the time range, variables, theme, one panel, the image size (render API). */
export interface GrafanaView {
  uid: string;
  panelId?: number | null | undefined;
  from: string;
  to: string;
  vars: Record<string, string | string[]>;
  theme?: 'light' | 'dark' | null | undefined;
  /** The render API (`/render/d/...`) instead of the page itself. */
  render?: { width: number; height: number; scale: number } | undefined;
}

/**
 * A Grafana dashboard's URL under `base` (Grafana may live under a sub-path): `/d/<uid>?kiosk&...`,
 * `/d-solo/<uid>?panelId=...` for one panel, or the same under `/render/` for the image renderer.
 */
export function grafanaUrl(base: string, view: GrafanaView): URL {
  const root = new URL(base);
  const prefix = root.pathname.replace(/\/+$/, '');
  const page = `${view.panelId != null ? 'd-solo' : 'd'}/${encodeURIComponent(view.uid)}`;
  const params = new URLSearchParams();
  if (view.panelId != null) params.append('panelId', String(view.panelId));
  params.append('from', view.from);
  params.append('to', view.to);
  for (const [name, value] of Object.entries(view.vars)) for (const v of Array.isArray(value) ? value : [value]) params.append(`var-${name}`, v);
  if (view.theme) params.append('theme', view.theme);
  if (view.render) {
    params.append('width', String(view.render.width));
    params.append('height', String(view.render.height));
    params.append('scale', String(view.render.scale));
  }
  // `kiosk` bare, as Grafana documents it (hides the navigation and the variable bar).
  const query = view.panelId != null ? params.toString() : `kiosk&${params.toString()}`;
  return new URL(`${root.origin}${prefix}/${view.render ? 'render/' : ''}${page}?${query}`);
}
