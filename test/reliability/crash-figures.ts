import { expect } from 'vitest';
import { testDatabaseKind } from '../helpers/test-db.js';

/** What one crash case counted over its rounds. Every loss, duplicate and integrity failure must be 0. */
export interface CrashFigures {
  case: string;
  rounds: number;
  kills: number;
  /** Writes the platform acknowledged (2xx, or committed as seen by a reader) before a kill. */
  acked: number;
  lost: number;
  duplicates: number;
  integrity_failures: number;
  /** Case-specific counts (restores: old/new/mixed; downloads: temp files left...). */
  extra?: Record<string, number>;
}

/** Prints the figures as the test's last line (`crash figures: {...}`, one JSON line) and asserts the zeros. */
export function reportFigures(f: CrashFigures, details: { lost?: unknown[]; duplicates?: unknown[]; integrity?: string[] } = {}): void {
  const line = { ...f, database: testDatabaseKind() };
  process.stdout.write(`crash figures: ${JSON.stringify(line)}\n`);
  expect(details.integrity ?? [], 'integrity check failures').toEqual([]);
  expect(details.lost ?? [], 'acknowledged but lost').toEqual([]);
  expect(details.duplicates ?? [], 'duplicates').toEqual([]);
  expect([f.lost, f.duplicates, f.integrity_failures]).toEqual([0, 0, 0]);
  expect(f.kills).toBe(f.rounds);
}
