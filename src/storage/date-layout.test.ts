import { describe, expect, it } from 'vitest';
import { compileDateLayout } from './date-layout.js';

describe('date layouts', () => {
  it('reads YYYY/MM/DD, YYYYMMDD and hourly patterns from the key after the prefix', () => {
    expect(compileDateLayout('YYYY/MM/DD').dateOf('2026/12/01/access.log')?.label).toBe('2026-12-01');
    expect(compileDateLayout('YYYYMMDD').dateOf('20261201-app.log')?.label).toBe('2026-12-01');
    const hourly = compileDateLayout('dt=YYYY-MM-DD/HH').dateOf('dt=2026-12-01/07/x.log')!;
    expect(hourly.label).toBe('2026-12-01T07');
    expect(hourly.end - hourly.start).toBe(3_600_000);
    expect(compileDateLayout('YYYY/MM/DD').dateOf('2026/13/01/x')).toBeNull();
    expect(compileDateLayout('YYYY/MM/DD').dateOf('latest/x')).toBeNull();
  });

  it('gives the key fragment of a day to list it alone', () => {
    expect(compileDateLayout('YYYY/MM/DD').dayPrefix(new Date('2026-12-01T00:00:00Z'))).toBe('2026/12/01');
    expect(compileDateLayout('YYYY/MM/DD/HH').dayPrefix(new Date('2026-12-01T00:00:00Z'))).toBeNull();
  });
});
