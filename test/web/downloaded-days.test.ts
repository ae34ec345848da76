import { describe, expect, it } from 'vitest';
import { downloadedDaysGlob } from '../../web/src/screens/analysis/downloaded-days.js';

/** The console's "add a profile's downloads for some days" glob, from the profile's prefix and date layout. */
describe('downloadedDaysGlob', () => {
  it('lists each day once, as a folder or a file-name start, under the profile folder', () => {
    expect(downloadedDaysGlob({ name: 'local', prefix: 'nginx/', date_pattern: 'YYYY/MM/DD' }, '2026-11-30', '2026-12-01')).toBe(
      'local/{nginx/2026/11/30*,nginx/2026/11/30*/**,nginx/2026/12/01*,nginx/2026/12/01*/**}',
    );
    expect(downloadedDaysGlob({ name: 'app', prefix: '', date_pattern: 'YYYYMMDD' }, '2026-12-01', '2026-12-01')).toBe('app/{20261201*,20261201*/**}');
  });

  it('matches any hour of an hourly layout, and months once for a monthly one', () => {
    expect(downloadedDaysGlob({ name: 'p', prefix: 'x/', date_pattern: 'dt=YYYY-MM-DD/HH' }, '2026-12-01', '2026-12-01')).toBe('p/{x/dt=2026-12-01/**,x/dt=2026-12-01/**/**}');
    expect(downloadedDaysGlob({ name: 'p', prefix: '', date_pattern: 'YYYY/MM' }, '2026-12-01', '2026-12-31')).toBe('p/{2026/12*,2026/12*/**}');
  });

  it('refuses a profile without a date layout, a reversed range and one past the limit', () => {
    const p = { name: 'p', prefix: '', date_pattern: 'YYYY/MM/DD' };
    expect(() => downloadedDaysGlob({ ...p, date_pattern: null }, '2026-12-01', '2026-12-01')).toThrow(/no date layout/);
    expect(() => downloadedDaysGlob(p, '2026-12-02', '2026-12-01')).toThrow(/bad range/);
    expect(() => downloadedDaysGlob(p, '2026-01-01', '2026-12-31')).toThrow(/too long/);
  });
});
