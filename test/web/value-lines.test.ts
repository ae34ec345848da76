import { describe, expect, it } from 'vitest';
import { parseLines, setLine, toLines } from '../../web/src/screens/servers/value-lines.js';

/** The console's env / headers text, which the server forms send as records (and the secret picker edits). */
describe('env and header lines in the server forms', () => {
  it('reads NAME=value lines, keeping every = after the first in the value and skipping blank lines', () => {
    expect(parseLines('A=1\n\n  B=x=y  \nREF=${secret:db-pass}\n', '=')).toEqual({ A: '1', B: 'x=y', REF: '${secret:db-pass}' });
  });

  it('reads Name: value header lines, trimming around the colon; a URL-like value keeps its colons', () => {
    expect(parseLines('Authorization: Bearer ${secret:api}\nX-Origin:https://a.example:8443', ':')).toEqual({
      Authorization: 'Bearer ${secret:api}',
      'X-Origin': 'https://a.example:8443',
    });
  });

  it('round-trips a record through its text', () => {
    const env = { MODE: 'prod', TOKEN: '${secret:t}', MASKED: '***' };
    expect(parseLines(toLines(env, '='), '=')).toEqual(env);
    const headers = { Authorization: 'Bearer ${secret:t}' };
    expect(parseLines(toLines(headers, ':'), ':')).toEqual(headers);
  });

  it('the picker replaces the line of an existing name and appends a new one, touching no other line', () => {
    const text = 'MODE=dev\nTOKEN=plain\nOTHER=1';
    expect(setLine(text, '=', 'TOKEN', '${secret:tok}')).toBe('MODE=dev\nTOKEN=${secret:tok}\nOTHER=1');
    expect(setLine(text, '=', 'NEW', '${secret:tok}')).toBe('MODE=dev\nTOKEN=plain\nOTHER=1\nNEW=${secret:tok}');
    expect(setLine('', ':', 'Authorization', '${secret:k}')).toBe('Authorization: ${secret:k}');
    // A name that is a prefix of another is a different name.
    expect(setLine('TOKEN_2=a', '=', 'TOKEN', 'b')).toBe('TOKEN_2=a\nTOKEN=b');
  });
});
