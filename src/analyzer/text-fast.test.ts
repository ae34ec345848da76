import { describe, expect, it } from 'vitest';
import { FORMAT_SAMPLES } from '../../test/fixtures/logs/generators.js';
import { PARSERS, parseTextRegex } from './formats.js';
import { defaultTimeOptions } from './timestamps.js';

/** The `text` format read with character codes must give exactly what its defining regex gives. */
describe('text format fast path equals the regex', () => {
  const opts = [defaultTimeOptions(), { zoneOffsetMin: 330, year: 2024 }];
  const check = (line: string) => {
    for (const opt of opts) expect(PARSERS.text(line, opt), JSON.stringify(line)).toEqual(parseTextRegex(line, opt));
  };

  it('on generated samples of every format', () => {
    for (const make of Object.values(FORMAT_SAMPLES)) for (const line of make(300)) check(line);
  });

  it('on hand-written variants', () => {
    const lines = [
      '2024-03-01T12:00:00Z INFO started', '2024-03-01 12:00:00.123456 ERROR db down', '[2024-03-01T12:00:00.5+02:00] [WARN] x', '2024-03-01T12:00:00,12-0330 warn: y',
      '2024-03-01T12:00:00 UTC INFO z', '2024-03-01T12:00:00 Z INFO z', '2024-03-01T12:00:00 +0200 INFO z', '2024-03-01T12:00:00UTC INFO z', '2024-03-01T12:00:00.1234567890 INFO z',
      '2024-03-01T12:00:00 INFO', '2024-03-01T12:00:00 INFO ', '2024-03-01T12:00:00  \tNOTALEVEL message', '2024-03-01T12:00:00 INFO2 x', '2024-03-01T12:00:00 INFO msg\rmore',
      '2024-03-01T12:00:00 INFO a\u2028b', '2024-03-01T12:00:00] ERROR bracket', '0024-03-01T12:00:00 INFO old year', '2024-13-45T25:61:61 INFO odd', '2024-03-01T12:00:00Zx INFO q',
      '2024-03-01T12:00:00+02:0 INFO q', '2024-03-01T12:00:00\u00a0INFO nbsp', '2024-03-01T12:00:00 E short', '2024-03-01T12:00:00 info:   colon', 'not a log line at all, really not',
      '2024-03-01T12:00:01 INFO same second again', '2024-03-01 12:00:01 INFO space separator, same second',
    ];
    for (const line of lines) check(line);
  });
});
