import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPipeConfigFile, scriptTarget } from './pipe-config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mcps-pipecfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('mcp_config.json as mcp_pipe.py reads it', () => {
  it('reads every type spelling, env, headers, disabled and a per-server endpoint', () => {
    const cfg = readPipeConfigFile(
      file(
        'a.json',
        JSON.stringify({
          mcpServers: {
            calc: { type: 'stdio', command: 'python', args: ['calculator.py'], env: { PORT: 8080, DEBUG: true } },
            legacy: { transportType: 'stdio', command: 'node', args: ['s.js'], endpoint: 'wss://other/mcp?token=x' },
            bare: { command: 'npx', args: ['-y', 'some-server'], disabled: true },
            remote_sse: { type: 'sse', url: 'http://127.0.0.1:9000/sse', headers: { Authorization: 'Bearer x' } },
            remote_http: { type: 'http', url: 'https://mcp.example.com/mcp' },
            remote_sh: { transportType: 'streamablehttp', url: 'https://mcp.example.com/mcp' },
            guessed: { url: 'https://mcp.example.com/sse' },
          },
        }),
      ),
    );
    expect(cfg.skipped).toEqual([]);
    const byName = Object.fromEntries(cfg.servers.map((s) => [s.target.name, s]));
    expect(byName['calc']!.target).toMatchObject({ kind: 'stdio', command: 'python', args: ['calculator.py'], env: { PORT: '8080', DEBUG: 'true' } });
    expect(byName['legacy']!.target).toMatchObject({ kind: 'stdio', endpoint: 'wss://other/mcp?token=x' });
    expect(byName['bare']!.disabled).toBe(true);
    expect(byName['remote_sse']!.target).toMatchObject({ kind: 'sse', headers: { Authorization: 'Bearer x' } });
    expect(byName['remote_http']!.target.kind).toBe('streamable-http');
    expect(byName['remote_sh']!.target.kind).toBe('streamable-http');
    expect(byName['guessed']!.target.kind).toBe('sse');
  });

  it('skips entries it cannot pipe, saying why, and refuses unusable files', () => {
    const cfg = readPipeConfigFile(
      file(
        'b.json',
        JSON.stringify({
          mcpServers: {
            ws: { type: 'websocket', url: 'ws://x' },
            nothing: {},
            badargs: { command: 'x', args: 'not-an-array' },
            local: { type: 'http', url: 'file:///etc/passwd' },
            ok: { command: 'x' },
          },
        }),
      ),
    );
    expect(cfg.servers.map((s) => s.target.name)).toEqual(['ok']);
    expect(cfg.skipped).toEqual([
      { name: 'ws', reason: 'unsupported type "websocket" (expected stdio, sse, http or streamablehttp)' },
      { name: 'nothing', reason: 'neither "command" nor "url"' },
      { name: 'badargs', reason: '"args" must be an array of strings' },
      { name: 'local', reason: '"url" must be http:// or https://, not file://' },
    ]);
    expect(() => readPipeConfigFile(file('c.json', '{"mcpServers": '))).toThrow(/not valid JSON/);
    expect(() => readPipeConfigFile(file('d.json', '{"servers": {}}'))).toThrow(/no "mcpServers" object/);
    expect(() => readPipeConfigFile(path.join(dir, 'missing.json'))).toThrow(/not found/);
  });

  it('runs a script with the right interpreter', () => {
    const py = file('calc.py', '');
    const js = file('srv.mjs', '');
    expect(scriptTarget(py, ['--x'], '/usr/bin/node')).toMatchObject({ name: 'calc', command: 'python3', args: [py, '--x'] });
    expect(scriptTarget(js, [], '/usr/bin/node')).toMatchObject({ name: 'srv', command: '/usr/bin/node', args: [js] });
    expect(() => scriptTarget(path.join(dir, 'nope.py'), [], 'node')).toThrow(/not found/);
  });
});
