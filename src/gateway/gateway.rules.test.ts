import { describe, expect, it } from 'vitest';
import { hiddenTextFlags, revealHidden } from './catalogue/hidden-text.js';
import { definitionHash } from './catalogue/tool-hash.js';
import { namespacedName, parseNamespacedUri, namespacedUri } from './catalogue/tool-names.js';
import { toolAllowed } from './access/allowlist.js';

describe('hidden text', () => {
  it('flags Unicode tag characters, zero-width and bidi controls anywhere in a definition', () => {
    const tag = String.fromCodePoint(0xe0069);
    expect(hiddenTextFlags({ description: `fine${tag}` })).toEqual(['hidden_text']);
    expect(hiddenTextFlags({ inputSchema: { properties: { a: { description: 'x\u200By' } } } })).toEqual(['hidden_text']);
    expect(hiddenTextFlags({ description: 'abc\u202Edef' })).toEqual(['hidden_text']);
    expect(hiddenTextFlags({ description: 'Plain text, émojis 🌤 and CJK 天气 are fine' })).toEqual([]);
    expect(revealHidden(`a${tag}b\u200B`)).toBe('a<U+E0069>b<U+200B>');
  });
});

describe('names', () => {
  it('namespaces, shortens past 64 characters deterministically, and round-trips resource URIs', () => {
    expect(namespacedName('wb', 'echo', '__')).toBe('wb__echo');
    const long = namespacedName('a-server-with-a-long-name', 'a_tool_whose_name_is_long_enough_to_overflow_64', '__');
    expect(long).toHaveLength(64);
    expect(long).toBe(namespacedName('a-server-with-a-long-name', 'a_tool_whose_name_is_long_enough_to_overflow_64', '__'));
    expect(long).not.toBe(namespacedName('a-server-with-a-long-name', 'a_tool_whose_name_is_long_enough_to_overflow_65', '__'));
    expect(parseNamespacedUri(namespacedUri('wb', 'fixture://hello'))).toEqual({ server: 'wb', uri: 'fixture://hello' });
    expect(parseNamespacedUri('fixture://hello')).toBeNull();
  });

  it('hashes definitions independent of key order', () => {
    expect(definitionHash({ a: 1, b: { c: 2, d: 3 } })).toBe(definitionHash({ b: { d: 3, c: 2 }, a: 1 }));
    expect(definitionHash({ a: 1 })).not.toBe(definitionHash({ a: 2 }));
  });

  it('matches allowlist globs on server and full tool names', () => {
    const list = { servers: ['every*'], tools: ['everything__echo', '*__get_?'] };
    expect(toolAllowed(list, 'everything', { full: 'everything__echo', exposed: 'everything__echo' })).toBe(true);
    expect(toolAllowed(list, 'everything', { full: 'everything__add', exposed: 'everything__add' })).toBe(false);
    expect(toolAllowed(list, 'everything', { full: 'everything__get_x', exposed: 'everything__get_x' })).toBe(true);
    expect(toolAllowed(list, 'wb', { full: 'wb__echo', exposed: 'wb__echo' })).toBe(false);
    expect(toolAllowed({ servers: null, tools: null }, 'wb', { full: 'wb__echo', exposed: 'wb__echo' })).toBe(true);
  });
});
