import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { localPathOf } from './local-path.js';

const root = path.resolve('/data/downloads/prod');

describe('where a key lands', () => {
  it('keeps ordinary keys under the profile folder and drops .gz when gunzipping', () => {
    expect(localPathOf(root, 'nginx/2026/12/01/access.log.gz', false)).toBe(path.join(root, 'nginx/2026/12/01/access.log.gz'));
    expect(localPathOf(root, 'nginx/2026/12/01/access.log.gz', true)).toBe(path.join(root, 'nginx/2026/12/01/access.log'));
  });

  it.each([
    ['../escape.log'],
    ['a/../../escape.log'],
    ['a/./b.log'],
    ['/etc/passwd'],
    ['C:/windows.log'],
    ['back\\..\\slash.log'],
    ['nul\u0000.log'],
    ['line\nbreak.log'],
    ['esc\u001b[31m.log'],
    ['a//b.log'],
    ['dir/'],
    [`${'x'.repeat(256)}.log`],
  ])('refuses %j', (key) => {
    expect(() => localPathOf(root, key, false)).toThrow(/refused/);
  });
});
