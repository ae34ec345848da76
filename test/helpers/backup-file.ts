import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';

/** Test support: a backup file's lines, and a valid file rebuilt from (edited) lines. */
export function backupLines(gz: Buffer): string[] {
  return gunzipSync(gz).toString('utf8').split('\n').filter((l) => l !== '');
}

/** Re-gzips lines whose trailer (last line) is replaced with a correct checksum and row counts. */
export function rebuildBackup(lines: string[]): Buffer {
  const body = lines.slice(0, -1).map((l) => l + '\n').join('');
  const trailer = JSON.parse(lines.at(-1)!) as { row_counts: Record<string, number> };
  for (const l of lines) {
    if (l.startsWith('{"end":')) {
      const e = JSON.parse(l) as { end: string; rows: number };
      trailer.row_counts[e.end] = e.rows;
    }
  }
  const sha256 = createHash('sha256').update(body).digest('hex');
  return gzipSync(body + JSON.stringify({ trailer: true, row_counts: trailer.row_counts, sha256 }) + '\n');
}

/** Each table's rows as sorted JSON lines: what two backups of equal data have in common. */
export function tableContents(gz: Buffer, ignore: (table: string, row: unknown[]) => boolean = () => false): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let table = '';
  for (const line of backupLines(gz)) {
    if (line.startsWith('{"table":')) out[(table = (JSON.parse(line) as { table: string }).table)] = [];
    else if (line.startsWith('[') && !ignore(table, JSON.parse(line) as unknown[])) out[table]!.push(line);
  }
  for (const rows of Object.values(out)) rows.sort();
  return out;
}
