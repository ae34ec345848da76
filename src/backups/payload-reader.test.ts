import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidBackupError, readPayload } from './payload-reader.js';
import { writePayload } from './payload-writer.js';
import type { SnapshotSource } from './snapshot-source.js';
import { decodeValue, encodeValue } from './value-codec.js';
import { verifyPayload } from './verify-payload.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mcps-payload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fileWith = (data: Buffer) => {
  const f = path.join(dir, `f${++n}.gz`);
  writeFileSync(f, data);
  return f;
};

describe('backup file format', () => {
  it('round-trips every kind of value through encode, the file, and decode for each dialect', async () => {
    const values = [null, 'text with "quotes", \\ and \n newline \u2603', 42, -1.5, true, Buffer.from([0, 1, 254, 255]), new Date('2026-11-29T00:00:00.000Z'), { a: [1, 'b'] }, 2n ** 60n];
    const row = values.map(encodeValue);
    expect(row).toEqual([null, values[1], 42, -1.5, true, { $b64: 'AAH+/w==' }, '2026-11-29T00:00:00.000Z', '{"a":[1,"b"]}', '1152921504606846976']);
    const source: SnapshotSource = {
      dialect: 'postgres',
      migrations: ['001-foundation'],
      tables: [{ name: 'things', columns: values.map((_, i) => `c${i}`), types: values.map(() => 'text'), serialColumns: [] }],
      async *chunks() {
        yield { text: `${JSON.stringify(row)}\n${JSON.stringify(row)}\n`, rows: 2 };
      },
      close: async () => {},
    };
    const file = path.join(dir, 'ok.gz');
    const written = await writePayload(file, source, { createdAt: '2026-11-29T00:00:00.000Z', appVersion: 'test' });
    const v = await verifyPayload(file, { maxExpandedBytes: 1 << 20 });
    expect(v).toMatchObject({ rowCounts: { things: 2 }, totalRows: 2, sha256: written.sha256, contentSha256: written.contentSha256, sizeBytes: written.sizeBytes });
    const read: unknown[][] = [];
    for await (const ev of readPayload(file, { maxExpandedBytes: 1 << 20 })) if (ev.kind === 'rows') read.push(...ev.rows);
    expect(read).toEqual([row, row]);
    expect(decodeValue({ $b64: 'AAH+/w==' }, 'sqlite', 'blob')).toEqual(Buffer.from([0, 1, 254, 255]));
    expect(decodeValue(true, 'sqlite', 'integer')).toBe(1);
    expect(decodeValue(true, 'postgres', 'integer')).toBe(1);
    expect(decodeValue(true, 'postgres', 'boolean')).toBe(true);
    expect(decodeValue(0, 'postgres', 'boolean')).toBe(false);
  });

  it('refuses an endless line without reading it all into memory', async () => {
    const f = fileWith(gzipSync(Buffer.alloc(200_000, 0x61)));
    await expect(verifyPayload(f, { maxExpandedBytes: 1 << 30, maxLineBytes: 100_000 })).rejects.toThrow(/longer than 100000 bytes/);
  });

  it('refuses values a backup never holds, and data after the trailer', async () => {
    const header = { format: 'mcps-backup', format_version: 1, created_at: 'x', source_dialect: 'sqlite', app_version: 'x', schema_version: null, migrations: [], tables: [{ name: 't', columns: ['a'], types: ['text'] }] };
    const lines = (row: string) => [JSON.stringify(header), '{"table":"t"}', row, '{"end":"t","rows":1}'].join('\n') + '\n';
    await expect(verifyPayload(fileWith(gzipSync(lines('[{"$where":"1"}]'))), { maxExpandedBytes: 1 << 20 })).rejects.toThrow(InvalidBackupError);
    await expect(verifyPayload(fileWith(gzipSync(lines('[[1]]'))), { maxExpandedBytes: 1 << 20 })).rejects.toThrow(/does not match its 1 columns/);
    await expect(verifyPayload(fileWith(gzipSync(JSON.stringify({ ...header, format_version: 2 }) + '\n')), { maxExpandedBytes: 1 << 20 })).rejects.toThrow(/format version 2 is newer/);
    const trailer = (sha: string) => JSON.stringify({ trailer: true, row_counts: { t: 1 }, sha256: sha });
    const body = lines('["v"]');
    const sha = createHash('sha256').update(body).digest('hex');
    await expect(verifyPayload(fileWith(gzipSync(body + trailer(sha) + '\n')), { maxExpandedBytes: 1 << 20 })).resolves.toMatchObject({ totalRows: 1 });
    await expect(verifyPayload(fileWith(gzipSync(body + trailer(sha) + '\n["after"]\n')), { maxExpandedBytes: 1 << 20 })).rejects.toThrow(/data after the trailer/);
    await expect(verifyPayload(fileWith(gzipSync(JSON.stringify({ ...header, tables: [{ name: 'x; drop table users', columns: ['a'], types: ['text'] }] }) + '\n')), { maxExpandedBytes: 1 << 20 })).rejects.toThrow(/header is malformed/);
  });
});
