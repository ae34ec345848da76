import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { AppError } from '../http/app-error.js';

/**
 * The flags every headless Chromium of the project starts with (DEVELOPERS.md): headless, no sandbox
 * (root in containers), nothing that phones home. The console's end-to-end harness uses exactly these.
 */
export const CHROMIUM_BASE_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

/**
 * The capture pool's flags: the base, plus what only a screenshot wants. Kept out of the base on purpose:
 * `--hide-scrollbars` would change the layout and screenshots the console's e2e tests look at (a user
 * sees scrollbars), `--disable-dev-shm-usage` (a small /dev/shm in containers) and `--mute-audio` serve
 * long-running capture browsers only.
 */
export const CHROMIUM_ARGS = [...CHROMIUM_BASE_ARGS, '--disable-dev-shm-usage', '--hide-scrollbars', '--mute-audio'];

export interface BrowserPoolOptions {
  chromiumPath: string;
  /** Browsers at most; a capture beyond waits for one to be free. */
  size: number;
  /** A browser is closed and replaced after this many captures. */
  recycleAfter: number;
  /** An idle browser is closed after this long (0: kept until close). */
  idleMs: number;
  /** Launches a browser (tests and the benchmark count launches). */
  launch?: (chromiumPath: string) => Promise<Browser>;
}

export interface BrowserLease {
  browser: Browser;
  /** Gives the browser back; `broken` (a crash, a capture that left it unusable) closes it. */
  release(broken?: boolean): Promise<void>;
}

interface Slot {
  browser: Browser;
  uses: number;
  busy: boolean;
  idleTimer: NodeJS.Timeout | null;
}

async function launchChromium(chromiumPath: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, headless: true, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
}

/**
 * A bounded pool of warm headless Chromium browsers. Each capture leases a whole browser (and opens
 * its own context in it), so at most `size` captures run at once; the others queue. A browser is
 * replaced after `recycleAfter` captures, when it disconnects (crash, killed) or is released broken,
 * and closed after `idleMs` unused. `close()` closes every browser and refuses new leases: no
 * Chromium process outlives the platform.
 */
export function createBrowserPool(options: BrowserPoolOptions) {
  const launch = options.launch ?? launchChromium;
  const slots = new Set<Slot>();
  const waiters: { resolve: (slot: Slot) => void; reject: (err: Error) => void }[] = [];
  let launching = 0;
  let closed = false;
  let launches = 0;

  const closeSlot = async (slot: Slot) => {
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slots.delete(slot);
    await slot.browser.close().catch(() => {});
  };

  async function newSlot(): Promise<Slot> {
    if (!existsSync(options.chromiumPath))
      throw new AppError('unavailable', `Chromium not found at ${options.chromiumPath}: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH`);
    launching++;
    try {
      const browser = await launch(options.chromiumPath).catch((err: unknown) => {
        throw new AppError('unavailable', `Chromium at ${options.chromiumPath} did not start: ${(err as Error).message.split('\n')[0]}`);
      });
      launches++;
      const slot: Slot = { browser, uses: 0, busy: true, idleTimer: null };
      slots.add(slot);
      browser.on('disconnected', () => {
        slots.delete(slot);
        if (slot.idleTimer) clearTimeout(slot.idleTimer);
        pump();
      });
      if (closed) {
        await closeSlot(slot);
        throw new AppError('unavailable', 'the capture browser pool is closed');
      }
      return slot;
    } finally {
      launching--;
    }
  }

  /** Hands free browsers (or new ones, while under the bound) to waiting captures. */
  function pump(): void {
    while (waiters.length > 0 && !closed) {
      const free = [...slots].find((s) => !s.busy && s.browser.isConnected());
      if (free) {
        take(free);
        waiters.shift()!.resolve(free);
        continue;
      }
      if (slots.size + launching >= options.size) return;
      const waiter = waiters.shift()!;
      newSlot().then(waiter.resolve, waiter.reject);
    }
  }

  function take(slot: Slot): void {
    slot.busy = true;
    if (slot.idleTimer) clearTimeout(slot.idleTimer);
    slot.idleTimer = null;
  }

  async function release(slot: Slot, broken: boolean): Promise<void> {
    slot.uses++;
    slot.busy = false;
    if (broken || closed || slot.uses >= options.recycleAfter || !slot.browser.isConnected()) await closeSlot(slot);
    else if (options.idleMs > 0) {
      slot.idleTimer = setTimeout(() => {
        if (!slot.busy) void closeSlot(slot);
      }, options.idleMs);
      slot.idleTimer.unref();
    }
    pump();
  }

  return {
    async acquire(): Promise<BrowserLease> {
      if (closed) throw new AppError('unavailable', 'the capture browser pool is closed');
      const slot = await new Promise<Slot>((resolve, reject) => {
        waiters.push({ resolve, reject });
        pump();
      });
      let released = false;
      return {
        browser: slot.browser,
        release: async (broken = false) => {
          if (released) return;
          released = true;
          await release(slot, broken);
        },
      };
    },

    stats: () => ({ browsers: slots.size, busy: [...slots].filter((s) => s.busy).length, waiting: waiters.length, launches }),

    /** Closes every browser (busy ones too: their captures fail) and refuses further leases. Idempotent. */
    async close(): Promise<void> {
      closed = true;
      for (const w of waiters.splice(0)) w.reject(new AppError('unavailable', 'the capture browser pool is closed'));
      await Promise.all([...slots].map(closeSlot));
      // A launch in flight closes its browser itself when it lands (see newSlot).
      while (launching > 0) await new Promise((r) => setTimeout(r, 20));
    },
  };
}

export type BrowserPool = ReturnType<typeof createBrowserPool>;
