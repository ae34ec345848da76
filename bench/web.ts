/**
 * The web console's weight and speed: the JavaScript that index.html loads (gzipped, the budget is
 * 250 KB), the chunks screens load on demand, and on loopback in the system Chromium the time from navigation to the
 * sign-in form and from submitting it to the overview showing live figures (median of RUNS).
 *
 *   npm run build && npm run bench:web
 *   RUNS=9 npm run bench:web
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CHROMIUM_BASE_ARGS } from '../src/capture/browser-pool.js';
import { startBenchServer } from './harness.js';

const RUNS = Number(process.env['RUNS'] ?? 5);
const WEB = path.resolve(import.meta.dirname, '../dist/web');
const BUDGET_KB = 250;
const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const gzipped = (file: string) => gzipSync(readFileSync(path.join(WEB, file)), { level: 9 }).length;

const html = readFileSync(path.join(WEB, 'index.html'), 'utf8');
const initial = [...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"|<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g)].map((m) => m[1] ?? m[2]!);
const css = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="\/([^"]+\.css)"/g)].map((m) => m[1]!);
const initialJs = initial.reduce((sum, f) => sum + gzipped(f), 0);
const lazy = readdirSync(path.join(WEB, 'assets'))
  .filter((f) => f.endsWith('.js') && !initial.includes(`assets/${f}`))
  .map((f) => ({ f, size: gzipped(`assets/${f}`) }))
  .sort((a, b) => b.size - a.size);
console.log(`initial JS: ${kb(initialJs)} KB gzipped in ${initial.length} file(s) (budget ${BUDGET_KB} KB: ${initialJs / 1024 <= BUDGET_KB ? 'within' : 'OVER'})`);
console.log(`initial CSS: ${kb(css.reduce((s, f) => s + gzipped(f), 0))} KB gzipped`);
console.log(`loaded on demand (screens, charts): ${kb(lazy.reduce((s, x) => s + x.size, 0))} KB gzipped in ${lazy.length} chunks, the largest ${lazy[0]?.f} ${kb(lazy[0]?.size ?? 0)} KB`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const { child, fields: [port] } = await startBenchServer('app-server.ts');
const browser = await chromium.launch({
  executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
  args: [...CHROMIUM_BASE_ARGS],
});
const toForm: number[] = [];
const toOverview: number[] = [];
try {
  for (let i = 0; i < RUNS; i++) {
    const context = await browser.newContext();
    const page = await context.newPage();
    let t0 = performance.now();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.getByLabel('Username').waitFor();
    toForm.push(performance.now() - t0);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('bench-admin-password');
    t0 = performance.now();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Event-loop lag').waitFor();
    toOverview.push(performance.now() - t0);
    await context.close();
  }
} finally {
  await browser.close();
  child.kill();
}
console.log(`first screen (sign-in form interactive, fresh browser profile, loopback): median ${median(toForm).toFixed(0)} ms over ${RUNS} runs (max ${Math.max(...toForm).toFixed(0)} ms)`);
console.log(`sign-in to overview with live figures: median ${median(toOverview).toFixed(0)} ms (max ${Math.max(...toOverview).toFixed(0)} ms)`);
