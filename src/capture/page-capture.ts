import type { Browser, Page } from 'playwright-core';
import { AppError } from '../http/app-error.js';
import type { OutboundGuard } from '../lib/outbound-guard.js';
import type { CaptureHosts } from './capture-hosts.js';
import { installGuardedRouting } from './guarded-routing.js';
import { waitForSettled } from './page-settled.js';
import type { SparePages } from './spare-pages.js';

export interface PageCaptureRequest {
  url: URL;
  width: number;
  height: number;
  scale: number;
  theme: 'light' | 'dark' | null;
  format: 'png' | 'pdf';
  timeoutMs: number;
  /** Headers (a Bearer token, cookies) sent with requests to the target's own origin only. */
  headers: Record<string, string>;
  guard: Pick<OutboundGuard, 'assertUrl' | 'lookup'>;
  hosts: CaptureHosts;
  /** Where the fresh context and page come from (made ahead, or now). */
  spares: SparePages;
}

export interface PageCaptureResult {
  data: Buffer;
  /** Sub-requests the rules refused (the capture went on without them). */
  blocked: { url: string; reason: string }[];
}

/**
 * Opens the page in a fresh browser context of its own (no cookie, cache or storage shared with any
 * other capture), waits until it has settled and takes a PNG of the viewport or a PDF. Pop-ups are
 * closed, downloads refused. Errors are AppErrors that say what happened (refused, unreachable, an
 * HTTP error, a timeout, the browser gone).
 */
export async function captureInBrowser(browser: Browser, req: PageCaptureRequest): Promise<PageCaptureResult> {
  const deadline = Date.now() + req.timeoutMs;
  const { context, page } = await req.spares.take(browser, req.scale).catch((err: unknown) => {
    throw browserError(err, browser);
  });
  try {
    // Independent round trips to the browser, sent together.
    const [routing] = await Promise.all([
      installGuardedRouting(context, {
        guard: req.guard,
        hosts: req.hosts,
        credentials: Object.keys(req.headers).length ? { origin: req.url.origin, headers: req.headers } : null,
      }),
      page.setViewportSize({ width: req.width, height: req.height }),
      page.emulateMedia({ colorScheme: req.theme ?? 'light' }),
    ]);
    try {
      context.on('page', (other) => {
        if (other !== page) void other.close().catch(() => {});
      });
      await open(page, req.url, deadline, routing.failures);
      await waitForSettled(page, routing, deadline);
      const data =
        req.format === 'pdf'
          ? await page.pdf({ width: `${req.width}px`, height: `${req.height}px`, printBackground: true, pageRanges: '1' })
          : await page.screenshot({ type: 'png', timeout: Math.max(15_000, deadline - Date.now()) });
      return { data, blocked: routing.blocked };
    } finally {
      await routing.close();
    }
  } catch (err) {
    throw browserError(err, browser);
  } finally {
    // Not waited for: the result is ready, and closing the context (its renderer process) is the
    // browser's work; the context is never handed out again, and closing the browser ends it anyway.
    void context.close().catch(() => {});
  }
}

async function open(page: Page, url: URL, deadline: number, failures: Map<string, string>): Promise<void> {
  let response;
  try {
    response = await page.goto(url.toString(), { waitUntil: 'load', timeout: Math.max(1, deadline - Date.now()) });
  } catch (err) {
    const failure = failures.get(url.toString());
    if (failure) throw new AppError(/refused:|not allowed|metadata/.test(failure) ? 'forbidden' : 'bad_gateway', `${url.host}: ${failure}`);
    if ((err as Error).name === 'TimeoutError') throw new AppError('gateway_timeout', `${url.host}: the page did not finish loading in time`);
    throw err;
  }
  if (response && response.status() >= 400) throw new AppError('bad_gateway', `${url.host} answered HTTP ${response.status()} for the dashboard page`);
}

function browserError(err: unknown, browser: Browser): unknown {
  if (err instanceof AppError) return err;
  if (!browser.isConnected() || /Target .*closed|Browser has been closed|browser has disconnected/i.test((err as Error)?.message ?? ''))
    return new AppError('unavailable', 'the browser closed during the capture (crashed or killed); try again');
  if ((err as Error)?.name === 'TimeoutError') return new AppError('gateway_timeout', `the capture did not finish in time: ${(err as Error).message.split('\n')[0]}`);
  return new AppError('bad_gateway', `the capture failed: ${(err as Error)?.message?.split('\n')[0] ?? String(err)}`);
}
