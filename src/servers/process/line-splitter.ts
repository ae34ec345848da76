/**
 * Splits a byte stream into '\n'-terminated lines with a hard cap on line length, so a child that
 * prints a 50 MB line costs at most `maxLineBytes` of memory. An over-long line is dropped and
 * reported with its total size and its first bytes.
 */

export interface LineSplitterHandlers {
  /** A complete line without its '\n' (and without a trailing '\r'). */
  onLine(line: Buffer): void;
  /** A line longer than the cap was dropped. `head` is its first bytes (at most `headBytes`). */
  onOverflow(totalBytes: number, head: Buffer): void;
}

export interface LineSplitter {
  push(chunk: Buffer): void;
  /** Flushes a trailing line that has no '\n'. */
  end(): void;
}

export function createLineSplitter(
  opts: { maxLineBytes: number; headBytes?: number },
  handlers: LineSplitterHandlers,
): LineSplitter {
  const headBytes = opts.headBytes ?? 200;
  let parts: Buffer[] = [];
  let size = 0;
  /** Set while dropping the rest of an over-long line. */
  let overflow: { total: number; head: Buffer } | null = null;

  const finishLine = () => {
    if (overflow) {
      handlers.onOverflow(overflow.total, overflow.head);
      overflow = null;
      return;
    }
    let line = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    parts = [];
    size = 0;
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    handlers.onLine(line);
  };

  const append = (piece: Buffer) => {
    if (overflow) {
      overflow.total += piece.length;
      return;
    }
    if (size + piece.length > opts.maxLineBytes) {
      const head = Buffer.concat([...parts, piece], Math.min(headBytes, size + piece.length));
      overflow = { total: size + piece.length, head };
      parts = [];
      size = 0;
      return;
    }
    parts.push(piece);
    size += piece.length;
  };

  return {
    push(chunk) {
      let start = 0;
      for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
        append(chunk.subarray(start, nl));
        finishLine();
        start = nl + 1;
      }
      if (start < chunk.length) append(chunk.subarray(start));
    },
    end() {
      if (overflow || size > 0) finishLine();
    },
  };
}
