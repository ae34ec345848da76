import { describe, expect, it } from 'vitest';
import { createSecretRedactor, type RedactableSecret } from './secret-redaction.js';

const redactSecretValues = (text: string, secrets: RedactableSecret[]) => createSecretRedactor(secrets)(text);

describe('redactSecretValues', () => {
  it('replaces every occurrence of every value with its name', () => {
    const text = 'token=ghp_abc123 again ghp_abc123; key=k-999.';
    expect(
      redactSecretValues(text, [
        { name: 'GITHUB_TOKEN', value: 'ghp_abc123' },
        { name: 'API_KEY', value: 'k-999' },
      ]),
    ).toBe('token=[REDACTED:GITHUB_TOKEN] again [REDACTED:GITHUB_TOKEN]; key=[REDACTED:API_KEY].');
  });

  it('prefers the longer value when one contains another', () => {
    const secrets = [
      { name: 'SHORT', value: 'abc' },
      { name: 'LONG', value: 'xxabcxx' },
    ];
    expect(redactSecretValues('xxabcxx abc', secrets)).toBe('[REDACTED:LONG] [REDACTED:SHORT]');
  });

  it('treats regular-expression characters literally', () => {
    const value = 'a.b*c+(d)?[e]{2}|^$\\';
    expect(redactSecretValues(`x${value}y aXbbc`, [{ name: 'S', value }])).toBe('x[REDACTED:S]y aXbbc');
  });

  it('finds the value inside JSON and URLs', () => {
    const value = 'p"a\\ss\nw/rd &x';
    const secrets = [{ name: 'PW', value }];
    expect(redactSecretValues(JSON.stringify({ password: value }), secrets)).toBe('{"password":"[REDACTED:PW]"}');
    expect(redactSecretValues(`https://h/?pw=${encodeURIComponent(value)}`, secrets)).toBe('https://h/?pw=[REDACTED:PW]');
  });

  it('does not redact inside its own markers', () => {
    expect(redactSecretValues('RED', [{ name: 'X', value: 'RED' }])).toBe('[REDACTED:X]');
    expect(redactSecretValues('RED ED', [{ name: 'X', value: 'RED' }, { name: 'Y', value: 'ED' }])).toBe(
      '[REDACTED:X] [REDACTED:Y]',
    );
  });

  it('ignores empty values and leaves text without secrets unchanged', () => {
    expect(redactSecretValues('nothing here', [{ name: 'E', value: '' }])).toBe('nothing here');
    expect(redactSecretValues('nothing here', [])).toBe('nothing here');
  });

  it('compiles once and redacts many lines', () => {
    const redact = createSecretRedactor([{ name: 'T', value: 'tok' }]);
    expect(['a tok', 'b', 'tok tok'].map(redact)).toEqual(['a [REDACTED:T]', 'b', '[REDACTED:T] [REDACTED:T]']);
  });
});
