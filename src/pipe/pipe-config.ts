import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../http/app-error.js';

/** One server to pipe, from mcp_config.json or a script given on the command line. */
export type PipeTarget =
  | { name: string; kind: 'stdio'; command: string; args: string[]; env: Record<string, string>; cwd: string | undefined; endpoint: string | undefined }
  | { name: string; kind: 'sse' | 'streamable-http'; url: string; headers: Record<string, string>; endpoint: string | undefined };

export interface PipeConfigFile {
  file: string;
  /** Enabled and disabled servers, in file order. */
  servers: { target: PipeTarget; disabled: boolean }[];
  /** Entries that cannot be piped, with the reason (reported, not fatal). */
  skipped: { name: string; reason: string }[];
}

/** `type` / `transportType` values of mcp_pipe.py's config and of the common mcpServers files. */
const TYPES: Record<string, 'stdio' | 'sse' | 'streamable-http'> = {
  stdio: 'stdio',
  sse: 'sse',
  http: 'streamable-http',
  streamablehttp: 'streamable-http',
  'streamable-http': 'streamable-http',
  streamable_http: 'streamable-http',
};

/**
 * Reads the `mcpServers` file of mcp_pipe.py: per server `type` or `transportType`
 * (stdio | sse | http | streamablehttp), `command`, `args`, `env`, `cwd`, `url`, `headers`,
 * `disabled`, and (an addition) `endpoint`, this server's own MCP_ENDPOINT. Throws AppError
 * `validation` for a file that cannot be used at all.
 */
export function readPipeConfigFile(file: string): PipeConfigFile {
  if (!existsSync(file)) throw new AppError('validation', `config file ${file} not found`);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AppError('validation', `config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const servers = (doc as { mcpServers?: unknown } | null)?.mcpServers;
  if (!servers || typeof servers !== 'object' || Array.isArray(servers)) {
    throw new AppError('validation', `config file ${file} has no "mcpServers" object`);
  }
  const out: PipeConfigFile = { file, servers: [], skipped: [] };
  for (const [name, raw] of Object.entries(servers as Record<string, unknown>)) {
    const entry = toTarget(name, raw);
    if ('reason' in entry) out.skipped.push({ name, reason: entry.reason });
    else out.servers.push(entry);
  }
  return out;
}

function toTarget(name: string, raw: unknown): { target: PipeTarget; disabled: boolean } | { reason: string } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { reason: 'not an object' };
  const e = raw as Record<string, unknown>;
  const strings = (v: unknown, what: string): string[] | string => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return `"${what}" must be an array of strings`;
    return v;
  };
  const record = (v: unknown, what: string): Record<string, string> | string => {
    if (v === undefined) return {};
    if (!v || typeof v !== 'object' || Array.isArray(v)) return `"${what}" must be an object of strings`;
    const r: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string') r[k] = x;
      else if (typeof x === 'number' || typeof x === 'boolean') r[k] = String(x);
      else return `"${what}.${k}" must be a string`;
    }
    return r;
  };
  const typeText = e['type'] ?? e['transportType'];
  let kind: 'stdio' | 'sse' | 'streamable-http';
  if (typeText !== undefined) {
    const t = typeof typeText === 'string' ? TYPES[typeText.toLowerCase()] : undefined;
    if (!t) return { reason: `unsupported type ${JSON.stringify(typeText)} (expected stdio, sse, http or streamablehttp)` };
    kind = t;
  } else if (typeof e['command'] === 'string') kind = 'stdio';
  else if (typeof e['url'] === 'string') kind = /\/sse\/?(\?|$)/.test(e['url']) ? 'sse' : 'streamable-http';
  else return { reason: 'neither "command" nor "url"' };

  const endpoint = typeof e['endpoint'] === 'string' && e['endpoint'].trim() ? e['endpoint'].trim() : undefined;
  const disabled = e['disabled'] === true;
  if (kind === 'stdio') {
    if (typeof e['command'] !== 'string' || !e['command'].trim()) return { reason: 'a stdio server needs "command"' };
    const args = strings(e['args'], 'args');
    if (typeof args === 'string') return { reason: args };
    const env = record(e['env'], 'env');
    if (typeof env === 'string') return { reason: env };
    const cwd = typeof e['cwd'] === 'string' && e['cwd'] ? path.resolve(e['cwd']) : undefined;
    return { target: { name, kind, command: e['command'], args, env, cwd, endpoint }, disabled };
  }
  if (typeof e['url'] !== 'string') return { reason: `a ${kind} server needs "url"` };
  let url: URL;
  try {
    url = new URL(e['url']);
  } catch {
    return { reason: '"url" is not a valid URL' };
  }
  // Only web requests: the URL comes from a file, but a pipe must not become a file or socket reader.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { reason: `"url" must be http:// or https://, not ${url.protocol}//` };
  const headers = record(e['headers'], 'headers');
  if (typeof headers === 'string') return { reason: headers };
  return { target: { name, kind, url: url.toString(), headers, endpoint }, disabled };
}

/** `mcps pipe path/to/server.py|js`: how to run a script, as mcp_pipe.py does with its argument. */
export function scriptTarget(script: string, args: string[], nodePath: string): PipeTarget {
  const file = path.resolve(script);
  if (!existsSync(file)) throw new AppError('validation', `script ${script} not found`);
  const ext = path.extname(file).toLowerCase();
  const name = path.basename(file, path.extname(file)) || 'server';
  const base = { name, kind: 'stdio' as const, env: {}, cwd: undefined, endpoint: undefined };
  if (ext === '.py') return { ...base, command: 'python3', args: [file, ...args] };
  if (ext === '.js' || ext === '.mjs' || ext === '.cjs') return { ...base, command: nodePath, args: [file, ...args] };
  return { ...base, command: file, args };
}
