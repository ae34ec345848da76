import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { createHostSampler } from './host-sampler.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('host sampler', () => {
  it('reads CPU, memory, disk and handles, and sees a blocked event loop as lag', async () => {
    const sut = createHostSampler({ dataDir: tmpdir() });
    try {
      await sleep(100);
      const first = await sut.read();
      expect(first.cpu_percent).toBeGreaterThanOrEqual(0);
      expect(first.cpu_percent).toBeLessThanOrEqual(100);
      expect(first.memory_total_bytes).toBeGreaterThan(first.memory_available_bytes);
      expect(first.process_rss_bytes).toBeGreaterThan(0);
      expect(first.disk_total_bytes).toBeGreaterThan(0);
      expect(first.active_handles).toBeGreaterThanOrEqual(0);

      await sleep(50);
      const until = Date.now() + 300;
      while (Date.now() < until); // block the loop
      await sleep(50);
      const blocked = await sut.read();
      expect(blocked.event_loop_lag_max_ms).toBeGreaterThanOrEqual(200);
      // Busy for 300 ms of the ~400 since the previous reading (less if the shared machine starved it).
      expect(blocked.process_cpu_percent).toBeGreaterThan(10);
    } finally {
      sut.stop();
    }
  });

  it('reports no disk for a directory that does not exist', async () => {
    const sut = createHostSampler({ dataDir: '/nonexistent/mcps-data' });
    try {
      expect((await sut.read()).disk_total_bytes).toBeNull();
    } finally {
      sut.stop();
    }
  });
});
