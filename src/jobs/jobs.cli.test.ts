import { describe, expect, it } from 'vitest';
import { progressBar, progressText } from './jobs.cli.js';
import type { BatchView } from './jobs.schema.js';

const batch = (done: number, failed: number, running: number, status: BatchView['status'] = 'running'): BatchView => ({
  id: 'b1', operation: 'download_analyze', params: {}, status, concurrency: 4, max_attempts: 3, backoff_ms: 1000,
  progress: { total: 60, pending: 60 - done - failed - running, running, done, failed, cancelled: 0 },
  created_by: 'user:admin', created_at: '2026-12-02T00:00:00Z', updated_at: '2026-12-02T00:00:00Z', finished_at: null,
});

describe('mcps jobs watch: what it draws', () => {
  it('a terminal bar filled by the settled share, with the counts', () => {
    expect(progressBar(batch(15, 3, 4), 20)).toBe('[######--------------]  30% 18/60 (15 done, 3 failed, 4 running) running');
    expect(progressBar(batch(60, 0, 0, 'completed'), 10)).toBe('[##########] 100% 60/60 (60 done, 0 failed, 0 running) completed');
    expect(progressBar(batch(0, 0, 0), 10)).toBe('[----------]   0% 0/60 (0 done, 0 failed, 0 running) running');
  });

  it('a plain line for logs and pipes', () => {
    expect(progressText(batch(12, 1, 2))).toBe('13/60 (12 done, 1 failed, 2 running) running');
  });
});
