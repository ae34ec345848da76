import { describe, expect, it } from 'vitest';
import { isSensitiveFlag, maskArgs, maskCredentialsInText, maskSettingValue, maskUrl } from './credential-mask.js';

describe('credential masking by shape', () => {
  it('URL userinfo: the password, and (strict) a user without one', () => {
    expect(maskUrl('postgres://app:hunter2@db:5432/app')).toBe('postgres://app:********@db:5432/app');
    expect(maskUrl('https://ghp_abc123@github.com/org/repo')).toBe('https://ghp_abc123@github.com/org/repo');
    expect(maskUrl('https://ghp_abc123@github.com/org/repo', { strict: true })).toBe('https://********@github.com/org/repo');
    expect(maskUrl('redis://:pw@127.0.0.1:6379')).toBe('redis://:********@127.0.0.1:6379');
  });

  it('URL query values: sensitive names always, every value when strict; the fragment kept', () => {
    expect(maskUrl('https://h/mcp?api_key=k1&team=t1#x')).toBe('https://h/mcp?api_key=********&team=t1#x');
    expect(maskUrl('https://h/mcp?api_key=k1&team=t1#x', { strict: true })).toBe('https://h/mcp?api_key=********&team=********#x');
    expect(maskUrl('not a url ?password=x')).toBe('not a url ?password=x');
  });

  it('--flag value and --flag=value for *key*, *token*, *password*, *secret*; other flags as they are', () => {
    expect(maskArgs(['-y', 'srv', '--api-key', 'sk-live-1', '--token=t-2', '--db-password', 'p3', '--client-secret=s4', '--port', '8080', '--max-tokens', '100'])).toEqual([
      '-y', 'srv', '--api-key', '********', '--token=********', '--db-password', '********', '--client-secret=********', '--port', '8080', '--max-tokens', '100',
    ]);
    expect(maskArgs(['--api-key', '--verbose'])).toEqual(['--api-key', '--verbose']);
    expect(maskCredentialsInText('node s.js --auth-token abc --verbose')).toBe('node s.js --auth-token ******** --verbose');
    expect(['--key', '--apikey', '--GITHUB_TOKEN', '--passphrase'].every(isSensitiveFlag)).toBe(true);
    expect(['--port', '--max-tokens', '--verbose'].some(isSensitiveFlag)).toBe(false);
  });

  it('connection strings: URL userinfo and query values inside text, Password=...; pairs', () => {
    expect(maskCredentialsInText('postgresql://app:hunter2@db/app?sslmode=require')).toBe('postgresql://app:********@db/app?sslmode=********');
    expect(maskCredentialsInText('Server=db;User Id=sa;Password=hunter2;Pwd=x')).toBe('Server=db;User Id=sa;Password=********;Pwd=********');
    expect(maskArgs(['--dsn', 'mysql://root:toor@127.0.0.1/db'])).toEqual(['--dsn', 'mysql://root:********@127.0.0.1/db']);
  });

  it('${secret:...} references are not secrets: they stay visible wherever they sit', () => {
    expect(maskArgs(['--api-key', '${secret:K}', '--token=${secret:T#2}'])).toEqual(['--api-key', '${secret:K}', '--token=${secret:T#2}']);
    expect(maskCredentialsInText('postgres://u:${secret:DB_PASSWORD}@h/db?password=${secret:P}&x=1')).toBe('postgres://u:${secret:DB_PASSWORD}@h/db?password=${secret:P}&x=********');
    expect(maskUrl('https://h/?token=${secret:T}', { strict: true })).toBe('https://h/?token=${secret:T}');
  });

  it('settings keep their rule: secret names masked, URL passwords and sensitive query values masked', () => {
    expect(maskSettingValue('DATABASE_URL', 'postgres://u:pw@h/db?password=x&sslmode=require')).toBe('postgres://u:********@h/db?password=********&sslmode=require');
    expect(maskSettingValue('MCPS_METRICS_TOKEN', 'abc')).toBe('********');
    expect(maskSettingValue('PORT', undefined)).toBeNull();
  });
});
