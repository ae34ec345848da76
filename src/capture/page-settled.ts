import type { Page } from 'playwright-core';
import { AppError } from '../http/app-error.js';
import type { RoutingState } from './guarded-routing.js';

/** Loading indicators of Grafana (old and new) and of common chart pages. */
export const LOADING_SELECTORS = [
  '.panel-loading',
  '[aria-label="Panel loading bar"]',
  '[data-testid*="loading" i]',
  '[aria-busy="true"]',
  '.spinner',
  '.loading',
  '.fa-spinner',
].join(',');

/** How long the network stays quiet before it counts as idle, and how often the page is looked at. */
const QUIET_MS = 500;
const POLL_MS = 200;

/**
 * Waits until the page has finished: no request in flight for QUIET_MS, no visible loading indicator,
 * fonts loaded and every canvas unchanged over two looks in a row (an animated chart has stopped). Past
 * `deadline` (epoch ms), a gateway_timeout naming what was still going on.
 */
export async function waitForSettled(page: Page, routing: RoutingState, deadline: number): Promise<void> {
  let lastCanvases: string | null = null;
  let stableLooks = 0;
  for (;;) {
    const quiet = routing.inflight === 0 && Date.now() - routing.lastActivity >= QUIET_MS;
    const look = (await page.evaluate(`(${PAGE_LOOK})(${JSON.stringify(LOADING_SELECTORS)})`)) as Look;
    stableLooks = look.canvases === lastCanvases ? stableLooks + 1 : 0;
    lastCanvases = look.canvases;
    if (quiet && !look.loading && look.fontsReady && stableLooks >= 2) return;
    if (Date.now() >= deadline) {
      const what = [
        routing.inflight > 0 ? `${routing.inflight} requests still pending` : null,
        look.loading ? 'a loading indicator still shown' : null,
        stableLooks < 2 ? 'charts (canvases) still changing' : null,
        !look.fontsReady ? 'fonts still loading' : null,
      ].filter(Boolean);
      throw new AppError('gateway_timeout', `the page did not finish loading in time: ${what.join(', ') || 'network not idle'}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

interface Look {
  loading: boolean;
  fontsReady: boolean;
  canvases: string;
}

/**
 * Runs in the page (a string: the platform is compiled without DOM types): is a loading indicator
 * visible, are fonts ready, and a fingerprint of every canvas's pixels.
 */
const PAGE_LOOK = `(selectors) => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && style.display !== 'none';
  };
  const loading = Array.from(document.querySelectorAll(selectors)).some(visible);
  // Each canvas drawn small (64×32) and its pixels hashed: cheap, and any chart that still moves changes it.
  const probe = document.createElement('canvas');
  probe.width = 64;
  probe.height = 32;
  const pctx = probe.getContext('2d', { willReadFrequently: true });
  const canvases = Array.from(document.querySelectorAll('canvas')).map((c) => {
    try {
      pctx.clearRect(0, 0, 64, 32);
      pctx.drawImage(c, 0, 0, 64, 32);
      const px = pctx.getImageData(0, 0, 64, 32).data;
      let h = 0;
      for (let i = 0; i < px.length; i++) h = (Math.imul(h, 31) + px[i]) | 0;
      return c.width + 'x' + c.height + ':' + h.toString(36);
    } catch { return c.width + 'x' + c.height + ':tainted'; }
  }).join(',');
  return { loading, fontsReady: document.fonts.status === 'loaded', canvases };
}`;
