import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import { spawnChild, type ChildHandle } from '../../src/servers/process/child-process.js';
import type { ServerConfig } from '../../src/servers/server-config.js';
import { waitFor } from './wait-for.js';

/** The MCP server fixtures under test/fixtures/mcp/, and server-everything. */

const FIXTURES = fileURLToPath(new URL('../fixtures/mcp/', import.meta.url));

export type FixtureName =
  | 'well-behaved'
  | 'crashing'
  | 'hanging'
  | 'sigterm-ignoring'
  | 'grandchild-spawning'
  | 'noisy'
  | 'exit-immediately'
  | 'tiny';

export function fixturePath(name: FixtureName): string {
  return path.join(FIXTURES, `${name}.mjs`);
}

export const EVERYTHING_ENTRY = fileURLToPath(
  new URL('../../node_modules/@modelcontextprotocol/server-everything/dist/index.js', import.meta.url),
);

/** A stdio config running a fixture with this Node binary. */
export function fixtureConfig(name: string, fixture: FixtureName, over: Partial<ServerConfig> = {}): ServerConfig {
  return {
    name,
    transport: 'stdio',
    command: process.execPath,
    args: [fixturePath(fixture)],
    env: {},
    restart_policy: 'never',
    max_retries: 3,
    timeout_ms: 15_000,
    ...over,
  };
}

/** Runs server-everything in `mode` on `port` and waits until it listens; the caller stops it. */
export async function runEverything(mode: 'streamableHttp' | 'sse', port: number): Promise<ChildHandle> {
  const child = await spawnChild({ command: process.execPath, args: [EVERYTHING_ENTRY, mode], env: { ...getDefaultEnvironment(), PORT: String(port) } });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await waitFor(() => new RegExp(`port ${port}`).test(err), 20_000, `server-everything (${mode}) to listen`);
  return child;
}
