import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CHROMIUM_BASE_ARGS } from '../../src/capture/browser-pool.js';
import { CHROMIUM_PATH } from '../components.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface ConsoleHarness {
  t: TestApp;
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * The real platform listening on a free loopback port, serving the built console (built here first when
 * dist/web is missing: `npm run build` makes it), and one headless Chromium. Playwright gives every
 * browser context a fresh profile.
 */
export async function startConsole(env: Record<string, string> = {}): Promise<ConsoleHarness> {
  if (!existsSync(path.join(ROOT, 'dist/web/index.html'))) {
    const { build } = await import('vite');
    await build({ configFile: path.join(ROOT, 'web/vite.config.ts'), logLevel: 'warn' });
  }
  const t = await createTestApp(env);
  // Sampling as `mcps serve` does: the overview's and the servers' CPU / memory figures are real.
  t.ctx.system.start();
  const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_BASE_ARGS], headless: true });
  return {
    t,
    base: address,
    browser,
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

/** A page in a fresh browser context at 1280×800, watched for script errors and CSP violations. */
export async function openPage(h: ConsoleHarness): Promise<{ page: Page; problems: string[] }> {
  const context = await h.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  return { page, problems: watchPage(page) };
}

/** Collects what must never happen on a console page: script errors and CSP violations. */
export function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy/i.test(msg.text())) problems.push(`CSP: ${msg.text()}`);
  });
  return problems;
}

export async function signIn(page: Page, base: string, username: string, password: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel(/^(Username|用户名)$/).fill(username);
  await page.getByLabel(/^(Password|密码)$/).fill(password);
  await page.getByRole('button', { name: /^(Sign in|登录)$/ }).click();
  await page.getByRole('navigation').waitFor();
}

/** axe-core's serious and critical violations on the page as it is now (run through DevTools, so the CSP stays on). */
export async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  // A string, evaluated in the page (this tree is compiled without the DOM types).
  const violations = await page.evaluate<{ id: string; impact: string | null; targets: string[] }[]>(
    'axe.run(document).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => JSON.stringify(n.target)) })))',
  );
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}): ${v.targets.join(', ')}`);
}

/** Where the run leaves a screenshot of every screen, light and dark, for review. */
export const SCREENSHOTS = path.join(ROOT, 'test-results/console');

/**
 * Checks the screen in both themes: 0 serious or critical axe violations each, and a screenshot each.
 * Returns the violations found (empty when all is well); leaves the light theme on. A screen without the
 * theme select (sign-in) gets the theme on its root as the console sets it from the system preference.
 */
export async function checkScreen(page: Page, name: string): Promise<string[]> {
  const found: string[] = [];
  const theme = page.getByLabel(/^(Theme|主题)$/);
  const hasSelect = (await theme.count()) > 0;
  for (const mode of ['light', 'dark'] as const) {
    if (hasSelect) await theme.selectOption(mode);
    else await page.evaluate(`document.documentElement.dataset.theme = ${JSON.stringify(mode)}`);
    found.push(...(await axeViolations(page)).map((v) => `${name} (${mode}): ${v}`));
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${mode}.png`), fullPage: true });
  }
  if (hasSelect) await theme.selectOption('light');
  else await page.evaluate("document.documentElement.dataset.theme = 'light'");
  return found;
}
