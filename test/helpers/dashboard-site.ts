import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { solidPng } from './png.js';

export interface SiteRequest {
  url: string;
  authorization: string | undefined;
  cookie: string | undefined;
}

export interface DashboardSite {
  /** `http://127.0.0.1:PORT` */
  base: string;
  /** Every request the site received, in order. */
  seen: SiteRequest[];
  /** Requests that reached the canary (another loopback port nobody may reach from a capture). */
  canaryHits: string[];
  canaryPort: number;
  close(): Promise<void>;
}

export const TOKEN = 'glsa_test_token_1234';
/** The bars of the late chart: fractions of its 250 px height. */
const BARS = [0.5, 0.8, 0.3, 0.9];

/** A chart drawn on a canvas a while after load: data fetched late, then bars animated for 1.5 s. */
const lateChart = `<!doctype html><html><head><title>late</title></head><body style="margin:0;background:#fff">
<canvas id="c" width="400" height="300" style="position:absolute;left:0;top:0"></canvas>
<script>
const ctx = document.getElementById('c').getContext('2d');
ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 400, 300);
setTimeout(async () => {
  const data = await (await fetch('/api/data')).json();
  const start = performance.now();
  function frame(t) {
    const p = Math.min(1, (t - start) / 1500);
    ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 400, 300);
    data.forEach((v, i) => { const h = v * 250 * p; ctx.fillStyle = 'rgb(220,20,20)'; ctx.fillRect(20 + i * 90, 290 - h, 60, h); });
    if (p < 1) requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
}, 200);
</script></body></html>`;

/** Four panels, each a canvas filled after its own late query: the benchmark's dashboard. */
const fourPanels = `<!doctype html><html><body style="margin:0;background:#111;display:grid;grid-template-columns:1fr 1fr;gap:8px">
${[0, 1, 2, 3].map((i) => `<div><div class="panel-loading" id="l${i}">loading</div><canvas id="p${i}" width="600" height="300"></canvas></div>`).join('')}
<script>
[0, 1, 2, 3].forEach(async (i) => {
  const data = await (await fetch('/api/series?panel=' + i)).json();
  document.getElementById('l' + i).remove();
  const ctx = document.getElementById('p' + i).getContext('2d');
  ctx.strokeStyle = 'hsl(' + i * 90 + ',80%,60%)'; ctx.lineWidth = 2; ctx.beginPath();
  data.forEach((v, x) => x ? ctx.lineTo(x * 6, 300 - v) : ctx.moveTo(0, 300 - v)); ctx.stroke();
});
</script></body></html>`;

function hostile(canary: number): string {
  return `<!doctype html><html><body><p>hostile</p>
<img src="http://127.0.0.1:${canary}/img">
<iframe src="http://127.0.0.1:${canary}/frame"></iframe>
<img src="/redirect-to-canary">
<script>
fetch('http://127.0.0.1:${canary}/fetch').catch(() => {});
fetch('http://localhost:${canary}/by-name').catch(() => {});
fetch('http://[::ffff:127.0.0.1]:${canary}/mapped').catch(() => {});
fetch('http://169.254.169.254/latest/meta-data/').catch(() => {});
fetch('http://metadata.google.internal/computeMetadata/v1/').catch(() => {});
fetch('/redirect-to-canary').catch(() => {});
navigator.sendBeacon('http://127.0.0.1:${canary}/beacon', 'x');
try { new WebSocket('ws://127.0.0.1:${canary}/ws'); } catch {}
window.open('http://127.0.0.1:${canary}/popup');
</script></body></html>`;
}

/**
 * The pages a capture test needs, on 127.0.0.1: a late-drawn chart, a Grafana-like `/grafana/d/<uid>`
 * and `/grafana/d-solo/<uid>` that echo what they received, a render-API stand-in (`/grafana/render/...`,
 * token checked), a hostile page, a page that never finishes, a 500, a slow page; and a canary server.
 */
export async function startDashboardSite(): Promise<DashboardSite> {
  const seen: SiteRequest[] = [];
  const canaryHits: string[] = [];
  const canary = createServer((req, res) => {
    canaryHits.push(req.url ?? '');
    res.end('canary');
  });
  canary.on('upgrade', (req: IncomingMessage, socket) => {
    canaryHits.push(`upgrade ${req.url}`);
    socket.destroy();
  });
  const canaryPort = await listen(canary);
  const html = (body: string) => ({ 'content-type': 'text/html; charset=utf-8', body });
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', authorization: req.headers.authorization, cookie: req.headers.cookie });
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, r: { 'content-type': string; body: string | Buffer }) => res.writeHead(status, { 'content-type': r['content-type'] }).end(r.body);
    const p = url.pathname;
    if (p === '/late.html') return send(200, html(lateChart));
    if (p === '/four.html') return send(200, html(fourPanels));
    if (p === '/api/data') return void setTimeout(() => send(200, { 'content-type': 'application/json', body: JSON.stringify(BARS) }), 200);
    if (p === '/api/series') return void setTimeout(() => send(200, { 'content-type': 'application/json', body: JSON.stringify(Array.from({ length: 100 }, (_, i) => 150 + 100 * Math.sin(i / 8 + Number(url.searchParams.get('panel'))))) }), 50);
    if (p === '/hostile.html') return send(200, html(hostile(canaryPort)));
    if (p === '/redirect-to-canary') return res.writeHead(302, { location: `http://127.0.0.1:${canaryPort}/redirected` }).end();
    if (p === '/redirect-to-plain') return res.writeHead(302, { location: '/plain.html' }).end();
    if (p === '/redirect-page-to-canary') return res.writeHead(302, { location: `http://127.0.0.1:${canaryPort}/page` }).end();
    if (p === '/never.html') return send(200, html('<!doctype html><p>waiting</p><script src="/hang.js"></script>'));
    if (p === '/hang.js') return; // never answered
    if (p === '/slow.html') return send(200, html('<!doctype html><p>slow</p><img src="/slow.png">'));
    if (p === '/slow.png') return void setTimeout(() => send(200, { 'content-type': 'image/png', body: solidPng(10, 10, [0, 0, 0]) }), 8000);
    if (p === '/error') return send(500, html('<h1>Internal Server Error</h1>'));
    if (p === '/plain.html') return send(200, html('<!doctype html><body style="margin:0;background:rgb(0,160,0)"><h1>ok</h1></body>'));
    const grafana = /^\/grafana\/(render\/)?(d|d-solo)\/([A-Za-z0-9_-]+)/.exec(p);
    if (grafana) {
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, { 'content-type': 'application/json', body: '{"message":"Unauthorized"}' });
      if (grafana[1]) {
        const w = Number(url.searchParams.get('width'));
        const h = Number(url.searchParams.get('height'));
        return send(200, { 'content-type': 'image/png', body: solidPng(w, h, [0, 128, 255]) });
      }
      const kiosk = url.searchParams.has('kiosk');
      const colour = url.searchParams.get('theme') === 'dark' ? 'rgb(20,20,30)' : 'rgb(250,250,250)';
      return send(200, html(`<!doctype html><body style="margin:0;background:${colour}">${kiosk ? '' : '<nav style="height:80px;background:rgb(255,0,255)">menu</nav>'}<h1>${grafana[2]} ${grafana[3]}</h1></body>`));
    }
    send(404, html('not found'));
  });
  const port = await listen(server);
  return {
    base: `http://127.0.0.1:${port}`,
    seen,
    canaryHits,
    canaryPort,
    async close() {
      server.closeAllConnections();
      canary.closeAllConnections();
      await Promise.all([new Promise((r) => server.close(r)), new Promise((r) => canary.close(r))]);
    },
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}
