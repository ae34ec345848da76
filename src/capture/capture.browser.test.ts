import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH } from '../../test/components.js';
import { startDashboardSite, TOKEN, type DashboardSite } from '../../test/helpers/dashboard-site.js';
import { needs } from '../../test/helpers/needs.js';
import { readPng } from '../../test/helpers/png.js';
import { descendantsOf } from '../../test/helpers/processes.js';
import { createTestApp, type TestApp } from '../../test/helpers/test-app.js';
import { waitFor } from '../../test/helpers/wait-for.js';
import { localCaller } from '../secrets/secret-caller.js';

const CLI = localCaller('cli', 'test');

/** Chromium processes started by this test process (the browser and its helpers). */
function chromiumProcesses(): number[] {
  return descendantsOf(process.pid).filter((pid) => {
    try {
      return /chrom/i.test(readFileSync(`/proc/${pid}/cmdline`, 'latin1'));
    } catch {
      return false;
    }
  });
}

describe.skipIf(!needs('chromium'))('dashboard capture in the system Chromium', () => {
  let t: TestApp;
  let site: DashboardSite;

  beforeAll(async () => {
    site = await startDashboardSite();
    t = await createTestApp({ CHROMIUM_PATH, MCPS_CAPTURE_BROWSERS: '1', MCPS_CAPTURE_RECYCLE_AFTER: '6', MCPS_CAPTURE_TIMEOUT_SECONDS: '20' });
    await t.ctx.secrets.create({ name: 'GRAFANA_TOKEN', value: TOKEN }, CLI);
    await t.ctx.capture.createDashboard({ name: 'site', kind: 'url', url: `${site.base}/late.html` }, CLI);
    await t.ctx.capture.createDashboard(
      { name: 'grafana', kind: 'grafana', url: `${site.base}/grafana/`, uid: 'abc-123', token: '${secret:GRAFANA_TOKEN}', time_from: 'now-6h', variables: { env: 'prod' }, width: 800, height: 600 },
      CLI,
    );
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await site?.close();
  });

  it('waits for a late, animated canvas chart: the PNG shows the finished bars', async () => {
    const shot = await t.ctx.capture.capture({ dashboard: 'site', width: 400, height: 300 }, CLI);
    const png = readPng(shot.data);
    expect([png.width, png.height]).toEqual([400, 300]);
    // The tallest bar (0.9 of 250 px) reaches y = 65 only once the 1.5 s animation has finished.
    expect(png.at(20 + 3 * 90 + 30, 70).slice(0, 3)).toEqual([220, 20, 20]);
    expect(png.at(20 + 3 * 90 + 30, 60).slice(0, 3)).toEqual([255, 255, 255]);
    // Bar 2 (0.3): top at y = 215.
    expect(png.at(20 + 2 * 90 + 30, 220).slice(0, 3)).toEqual([220, 20, 20]);
    expect(png.at(20 + 2 * 90 + 30, 205).slice(0, 3)).toEqual([255, 255, 255]);
    expect(shot.link).toBe(`/api/v1/screenshots/${shot.id}/file`);
    expect(readFileSync(`${t.config.dataDir}/screenshots/${shot.id}.png`).equals(shot.data)).toBe(true);
  }, 60_000);

  it('opens a Grafana dashboard with kiosk, the time range, variables and theme, and the token to its own origin', async () => {
    site.seen.length = 0;
    const shot = await t.ctx.capture.capture({ dashboard: 'grafana', from: 'now-1h', to: 'now', vars: { host: ['a', 'b'] }, theme: 'dark' }, CLI);
    const page = site.seen.find((r) => r.url.startsWith('/grafana/d/'))!;
    const url = new URL(page.url, 'http://x');
    expect(url.pathname).toBe('/grafana/d/abc-123');
    expect(page.url).toMatch(/\?kiosk&/);
    expect(url.searchParams.get('from')).toBe('now-1h');
    expect(url.searchParams.get('to')).toBe('now');
    expect(url.searchParams.get('var-env')).toBe('prod');
    expect(url.searchParams.getAll('var-host')).toEqual(['a', 'b']);
    expect(url.searchParams.get('theme')).toBe('dark');
    expect(page.authorization).toBe(`Bearer ${TOKEN}`);
    const png = readPng(shot.data);
    expect([png.width, png.height]).toEqual([800, 600]);
    // Kiosk: no menu bar (magenta) at the top; the dark theme's background.
    expect(png.at(10, 10).slice(0, 3)).toEqual([20, 20, 30]);
    expect(shot).toMatchObject({ time_from: 'now-1h', time_to: 'now', mode: 'browser', dashboard_name: 'grafana' });
  }, 60_000);

  it('one panel goes to /d-solo/<uid>?panelId=', async () => {
    site.seen.length = 0;
    await t.ctx.capture.capture({ dashboard: 'grafana', panel_id: 4 }, CLI);
    const url = new URL(site.seen.find((r) => r.url.startsWith('/grafana/d-solo/'))!.url, 'http://x');
    expect(url.pathname).toBe('/grafana/d-solo/abc-123');
    expect(url.searchParams.get('panelId')).toBe('4');
    expect(url.searchParams.get('from')).toBe('now-6h');
  }, 60_000);

  it('the render-API mode asks /render/d/<uid> for the image, with the size and the token', async () => {
    site.seen.length = 0;
    const shot = await t.ctx.capture.capture({ dashboard: 'grafana', mode: 'render', width: 320, height: 200 }, CLI);
    const request = site.seen.find((r) => r.url.startsWith('/grafana/render/d/abc-123'))!;
    expect(request.authorization).toBe(`Bearer ${TOKEN}`);
    expect(new URL(request.url, 'http://x').searchParams.get('width')).toBe('320');
    const png = readPng(shot.data);
    expect([png.width, png.height, ...png.at(5, 5).slice(0, 3)]).toEqual([320, 200, 0, 128, 255]);
    expect(shot.mode).toBe('render');
    await expect(t.ctx.capture.capture({ dashboard: 'grafana', mode: 'render', format: 'pdf' }, CLI)).rejects.toMatchObject({ code: 'validation' });
  }, 60_000);

  it('a hostile page reaches neither a loopback canary on another port nor a metadata address', async () => {
    await t.ctx.capture.createDashboard({ name: 'hostile', kind: 'url', url: `${site.base}/hostile.html` }, CLI);
    const shot = await t.ctx.capture.capture({ dashboard: 'hostile' }, CLI);
    // Give any straggler (beacon, pop-up) time to arrive where it would.
    await new Promise((r) => setTimeout(r, 500));
    expect(site.canaryHits).toEqual([]);
    const blocked = shot.blocked.map((b) => b.url);
    expect(blocked).toEqual(expect.arrayContaining([`http://127.0.0.1:${site.canaryPort}/fetch`, 'http://169.254.169.254/latest/meta-data/', `http://127.0.0.1:${site.canaryPort}/redirected`, `http://localhost:${site.canaryPort}/by-name`, `http://127.0.0.1:${site.canaryPort}/popup`]));
    expect(shot.blocked.find((b) => b.url.includes('169.254.169.254'))!.reason).toMatch(/metadata/);
    // The redirect itself came from the allowed origin and was answered; its target was refused.
    expect(site.seen.some((r) => r.url === '/redirect-to-canary')).toBe(true);
  }, 60_000);

  it('redirects are followed hop by hop, each hop checked', async () => {
    await t.ctx.capture.createDashboard({ name: 'moved', kind: 'url', url: `${site.base}/redirect-to-plain` }, CLI);
    const shot = await t.ctx.capture.capture({ dashboard: 'moved', width: 300, height: 200 }, CLI);
    expect(readPng(shot.data).at(150, 150).slice(0, 3)).toEqual([0, 160, 0]);
    await t.ctx.capture.createDashboard({ name: 'escape', kind: 'url', url: `${site.base}/redirect-page-to-canary` }, CLI);
    await expect(t.ctx.capture.capture({ dashboard: 'escape' }, CLI)).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/redirect to http:\/\/127\.0\.0\.1:\d+\/page refused/) });
    expect(site.canaryHits).toEqual([]);
  }, 60_000);

  it('bad input: a page that never loads, a 500, an unreachable host, a host not allowed, a missing dashboard', async () => {
    await t.ctx.capture.createDashboard({ name: 'never', kind: 'url', url: `${site.base}/never.html` }, CLI);
    await expect(t.ctx.capture.capture({ dashboard: 'never', timeout_seconds: 2 }, CLI)).rejects.toMatchObject({ code: 'gateway_timeout', message: expect.stringMatching(/did not finish loading in time/) });

    await t.ctx.capture.createDashboard({ name: 'broken', kind: 'url', url: `${site.base}/error` }, CLI);
    await expect(t.ctx.capture.capture({ dashboard: 'broken' }, CLI)).rejects.toMatchObject({ code: 'bad_gateway', message: expect.stringMatching(/answered HTTP 500/) });

    const { freePort } = await import('../../test/helpers/free-port.js');
    const closed = await freePort();
    await t.ctx.capture.createDashboard({ name: 'gone', kind: 'url', url: `http://127.0.0.1:${closed}/` }, CLI);
    await expect(t.ctx.capture.capture({ dashboard: 'gone' }, CLI)).rejects.toMatchObject({ code: 'bad_gateway', message: expect.stringMatching(/connection refused/) });

    await expect(t.ctx.capture.capture({ url: `http://127.0.0.1:${site.canaryPort}/` }, CLI)).rejects.toMatchObject({ code: 'forbidden', message: expect.stringMatching(/not an allowed capture host/) });
    await expect(t.ctx.capture.capture({ url: 'file:///etc/passwd' }, CLI)).rejects.toMatchObject({ code: 'bad_request' });
    await expect(t.ctx.capture.capture({ dashboard: 'nope' }, CLI)).rejects.toMatchObject({ code: 'not_found' });
    expect(site.canaryHits).toEqual([]);

    // The pool still works after all that.
    const ok = await t.ctx.capture.capture({ url: `${site.base}/plain.html`, width: 300, height: 200 }, CLI);
    expect(readPng(ok.data).at(150, 150).slice(0, 3)).toEqual([0, 160, 0]);
  }, 90_000);

  it('a Chromium killed mid-capture fails that capture clearly; the pool launches a new one and the next capture works', async () => {
    await t.ctx.capture.createDashboard({ name: 'slow', kind: 'url', url: `${site.base}/slow.html` }, CLI);
    site.seen.length = 0;
    const running = t.ctx.capture.capture({ dashboard: 'slow' }, CLI);
    await waitFor(() => site.seen.some((r) => r.url === '/slow.png'), 20_000);
    const browsers = descendantsOf(process.pid).filter((pid) => chromiumProcesses().includes(pid) && !chromiumProcesses().some((p) => descendantsOf(p).includes(pid)));
    expect(browsers.length).toBeGreaterThan(0);
    for (const pid of browsers) process.kill(pid, 'SIGKILL');
    await expect(running).rejects.toMatchObject({ code: 'unavailable', message: expect.stringMatching(/browser closed during the capture/) });
    const next = await t.ctx.capture.capture({ url: `${site.base}/plain.html`, width: 300, height: 200 }, CLI);
    expect(readPng(next.data).at(10, 190).slice(0, 3)).toEqual([0, 160, 0]);
  }, 60_000);

  it('many captures in a row recycle browsers; closing leaves no Chromium process behind', async () => {
    const before = t.ctx.capture.poolStats().launches;
    for (let i = 0; i < 20; i++) await t.ctx.capture.capture({ url: `${site.base}/plain.html`, width: 200, height: 200 }, CLI);
    // Recycled after every 6 captures.
    expect(t.ctx.capture.poolStats().launches - before).toBeGreaterThanOrEqual(3);
    expect(t.ctx.capture.poolStats().browsers).toBeLessThanOrEqual(1);
    expect(chromiumProcesses().length).toBeGreaterThan(0);
    await t.ctx.capture.close();
    await waitFor(() => chromiumProcesses().length === 0, 10_000);
    await expect(t.ctx.capture.capture({ url: `${site.base}/plain.html` }, CLI)).rejects.toMatchObject({ code: 'unavailable' });
  }, 120_000);
});
