import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface FreshPage {
  context: BrowserContext;
  page: Page;
}

/** The options every capture context has; viewport and colour scheme are set per capture on the page. */
const CONTEXT_OPTIONS = { deviceScaleFactor: 1, acceptDownloads: false, serviceWorkers: 'block' } as const;

/**
 * One unused browser context with an open blank page per browser, made ahead while the browser is idle:
 * opening a page starts a renderer process, the largest part of a warm capture. A spare is handed to
 * exactly one capture and never reused (the isolation is the same as a context made on demand); a
 * capture at another device scale makes its own. Spares die with their browser.
 */
export function createSparePages() {
  const spares = new Map<Browser, Promise<FreshPage>>();

  const open = async (browser: Browser, scale: number): Promise<FreshPage> => {
    const context = await browser.newContext({ ...CONTEXT_OPTIONS, deviceScaleFactor: scale });
    try {
      return { context, page: await context.newPage() };
    } catch (err) {
      await context.close().catch(() => {});
      throw err;
    }
  };

  return {
    /** The spare for this browser if there is one at scale 1, else a new context and page. */
    async take(browser: Browser, scale: number): Promise<FreshPage> {
      const spare = scale === 1 ? spares.get(browser) : undefined;
      spares.delete(browser);
      if (spare) {
        const ready = await spare.catch(() => null);
        if (ready && browser.isConnected()) return ready;
      }
      return open(browser, scale);
    },

    /** Starts making the next spare for `browser` (after a capture, while it is idle). */
    prepare(browser: Browser): void {
      if (!browser.isConnected() || spares.has(browser)) return;
      const spare = open(browser, 1);
      spare.catch(() => spares.delete(browser));
      spares.set(browser, spare);
      browser.once('disconnected', () => spares.delete(browser));
    },
  };
}

export type SparePages = ReturnType<typeof createSparePages>;
