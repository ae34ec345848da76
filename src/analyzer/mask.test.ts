import { describe, expect, it } from 'vitest';
import { LABELLED_KINDS, labelledLines } from '../../test/fixtures/logs/generators.js';
import { HAND_LABELLED } from '../../test/fixtures/logs/hand-labelled.js';
import { maskVariables, maskVariablesRegex } from './mask.js';

/** The fast masking must give exactly what the defining regex gives, on real shapes and on random text. */
describe('variable masking: fast path equals the regex', () => {
  it('on every generated corpus and the hand-labelled lines', () => {
    const lines = [...Object.keys(LABELLED_KINDS).flatMap((k, i) => labelledLines(k, 3000, 7 + i)).map((l) => l.text), ...HAND_LABELLED.map((l) => l.text)];
    const differ = lines.filter((l) => maskVariables(l) !== maskVariablesRegex(l));
    expect(differ.slice(0, 5).map((l) => [l, maskVariables(l), maskVariablesRegex(l)])).toEqual([]);
  });

  it('on tricky hand-written cases', () => {
    const cases = [
      'at 2024-01-02 12:34:56.789Z done', 'at 2024-01-02  12:34:56 two spaces', 'x2024-01-02 12:34:56', 'date 2024-01-02\t12:00:00',
      'say "hello world" and "unterminated', 'a "b\nc" d "e f"', 'key="a b" k2=\'c d\'', '"" empty', 'x"y z"w',
      '0x1F 0X2a 10x3 a0xg 00x1', 'ip 10.0.0.1:8080 and 1.2.3.4.5x and fe80::1 and ab:cd:ef:01:23:45 and ab-cd-ef-ab-cd-ef',
      'abcd:abcd:abcd:abcd dead:beef', 'uuid 123e4567-e89b-12d3-a456-426614174000 DEADBEEF-DEAD-BEEF-DEAD-BEEFDEADBEEF', 'mail bob.smith+x@example.co.uk',
      'url https://x.y/z?q=1 ftp://h', 'path /var/log/x.log C:\\Windows\\sys32 ./a/b a/b/c/', 'blk_-123 req-9f3a v1.2.3 -5 +7ms 3.5s',
      'time 1:02:03 and 12:34:56,789', 'unicode café 数字123 ı\u00a0k1 Ⅻ \u2028x9', 'T12 t z9 Z x0 X', 'tabs\t\there\r\n12',
      'deadbeef cafe 1e10 1E-5 ff', '(uid=164) [7033.986491] status=164/FAILURE', '   ',
    ];
    for (const c of cases) expect(maskVariables(c), c).toBe(maskVariablesRegex(c));
  });

  it('on random strings of the characters the regex cares about', () => {
    const alphabet = '0123456789abcdefxtzgABFXTZ_.-+:/\\@"\' \t\n<>$~=,Té';
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 20000; i++) {
      let s = '';
      const len = rand(40);
      for (let j = 0; j < len; j++) s += alphabet[rand(alphabet.length)];
      expect(maskVariables(s), JSON.stringify(s)).toBe(maskVariablesRegex(s));
    }
    const pieces = ['2024-01-02', '12:34:56', '.123', 'Z', '+08:00', '"', 'T', ' ', '  ', '\t', '0x', 'ff', '10.1.2.3', ':80', 'a@b.c', 'http://', '/x', '\\y', '-', 'ab:', 'cd-', 'id', '42', 'x', '\n'];
    for (let i = 0; i < 20000; i++) {
      let s = '';
      const len = rand(12);
      for (let j = 0; j < len; j++) s += pieces[rand(pieces.length)];
      expect(maskVariables(s), JSON.stringify(s)).toBe(maskVariablesRegex(s));
    }
  });
});
