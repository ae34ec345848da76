import type { BackupHeader } from './backup-format.js';
import { InvalidBackupError, type ReadLimits, readPayload } from './payload-reader.js';

export interface VerifiedPayload {
  header: BackupHeader;
  rowCounts: Record<string, number>;
  totalRows: number;
  uncompressedBytes: number;
  contentSha256: string;
  sizeBytes: number;
  sha256: string;
}

/** Reads a whole backup file back (decompress, parse every line, checksum, row counts): sound, or throws. */
export async function verifyPayload(file: string, limits: ReadLimits): Promise<VerifiedPayload> {
  let header: BackupHeader | null = null;
  for await (const ev of readPayload(file, limits)) {
    if (ev.kind === 'header') header = ev.header;
    else if (ev.kind === 'end') {
      if (!header) throw new InvalidBackupError('the file is empty: not a backup');
      return {
        header,
        rowCounts: ev.rowCounts,
        totalRows: Object.values(ev.rowCounts).reduce((a, b) => a + b, 0),
        uncompressedBytes: ev.uncompressedBytes,
        contentSha256: ev.contentSha256,
        sizeBytes: ev.compressedBytes,
        sha256: ev.sha256,
      };
    }
  }
  throw new InvalidBackupError('the file is empty: not a backup');
}
