import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/helpers/test-db.js';
import { loadConfig } from '../config.js';
import { createContext } from '../context.js';
import { connect } from '../db/connect.js';
import { migrateToLatest, rollbackOne } from '../db/migrator.js';
import { createLogger } from '../logs/logger.js';

describe('system runtime on a database without the settings table', () => {
  it('opens with the defaults (as `mcps db status` or the CLI audit after `db rollback` do)', async () => {
    const database = await createTestDatabase();
    const dir = mkdtempSync(path.join(tmpdir(), 'mcps-sys-'));
    const h = connect(database.url);
    await migrateToLatest(h.db);
    // Roll back to just before 005-settings (later migrations may exist).
    for (let i = 0; i < 10 && !(await rollbackOne(h.db)).includes('005-settings'); i++);
    await h.close();
    const config = loadConfig({ ENVIRONMENT: 'test', DATABASE_URL: database.url, DATA_DIR: './data', LOG_DIR: './logs', MCP_MAX_RETRIES: '6' }, { envFile: false, cwd: dir });
    const logger = await createLogger({ level: 'info', logFile: config.logFile, stdout: false });
    try {
      const ctx = await createContext(config, { logger, migrate: false });
      expect(ctx.system.settings.get('mcp.max_retries')).toBe(6);
      expect(ctx.system.settings.get('log.level')).toBe('info');
      await ctx.close();
    } finally {
      await logger.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
