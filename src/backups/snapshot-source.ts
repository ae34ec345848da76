import type { TableInfo } from './table-catalog.js';

/** A chunk of row lines: newline-terminated JSON arrays, and how many rows they hold. */
export interface RowChunk {
  text: string;
  rows: number;
}

/**
 * A consistent, read-only view of the whole database for the time of one backup: everything read
 * through it (the migrations and every table) comes from the same instant while others keep writing.
 */
export interface SnapshotSource {
  readonly dialect: 'sqlite' | 'postgres';
  /** Applied migrations as of the snapshot, oldest first. */
  readonly migrations: string[];
  /** The tables to export, parents first. */
  readonly tables: TableInfo[];
  chunks(table: TableInfo): AsyncIterable<RowChunk>;
  close(): Promise<void>;
}

/** About 1 MiB of text per chunk: large enough for throughput, small enough to stay responsive. */
export const CHUNK_CHARS = 1 << 20;
