import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../../test/helpers/test-context.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/test-db.js';
import { EVERYTHING_ENTRY } from '../../test/helpers/fixtures.js';
import { waitFor } from '../../test/helpers/wait-for.js';

const MASTER_KEY = randomBytes(32).toString('base64');
const CLI = { actor: { type: 'cli' as const, name: 'cli:test' } };

let database: TestDatabase;
let serving: TestContext;
let other: TestContext;
beforeAll(async () => {
  database = await createTestDatabase();
  serving = await createTestContext(database.url, { MCPS_MASTER_KEY: MASTER_KEY });
  other = await createTestContext(database.url, { MCPS_MASTER_KEY: MASTER_KEY });
});
afterAll(async () => {
  await serving.dispose();
  await other.dispose();
  await database.drop();
});

async function envOf(serverId: string): Promise<string> {
  const r = (await serving.ctx.servers.servers.callTool(serverId, 'get-env', {}, 'user:test')) as { content: { text: string }[] };
  return r.content[0]!.text;
}

describe('secret changes made by another process', () => {
  it('restart the servers that use the secret by reference, on the new value', { timeout: 120_000 }, async () => {
    await serving.ctx.secrets.create({ name: 'UPSTREAM_TOKEN', value: 'value-one' }, CLI);
    const server = await serving.ctx.servers.servers.create({
      name: 'everything',
      transport: 'stdio',
      command: process.execPath,
      args: [EVERYTHING_ENTRY, 'stdio'],
      env: { UPSTREAM_TOKEN: '${secret:UPSTREAM_TOKEN}' },
    });
    await serving.ctx.secretWatcher.start();
    await serving.ctx.servers.servers.start(server.id);
    expect(await envOf(server.id)).toContain('value-one');
    const firstPid = (await serving.ctx.servers.servers.status(server.id)).pid;

    // `mcps secrets rotate` in another process: the serving process hears nothing until it looks.
    await other.ctx.secrets.rotate('UPSTREAM_TOKEN', { value: 'value-two', reason: 'rotated elsewhere' }, CLI);
    await serving.ctx.secretWatcher.poll();
    await waitFor(async () => {
      const s = await serving.ctx.servers.servers.status(server.id);
      return s.state === 'running' && s.pid !== firstPid;
    }, 60_000, 'the server to restart');
    expect(await envOf(server.id)).toContain('value-two');

    // A change made in this process restarts it once (its own event), and the next look announces nothing.
    const secondPid = (await serving.ctx.servers.servers.status(server.id)).pid;
    await serving.ctx.secrets.update('UPSTREAM_TOKEN', { value: 'value-three' }, CLI);
    await waitFor(async () => {
      const s = await serving.ctx.servers.servers.status(server.id);
      return s.state === 'running' && s.pid !== secondPid;
    }, 60_000, 'the server to restart on a local change');
    const thirdPid = (await serving.ctx.servers.servers.status(server.id)).pid;
    await serving.ctx.secretWatcher.poll();
    await new Promise((r) => setTimeout(r, 500));
    expect((await serving.ctx.servers.servers.status(server.id)).pid).toBe(thirdPid);
    expect(await envOf(server.id)).toContain('value-three');
  });
});
