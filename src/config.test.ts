import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, sqlitePathOf } from './config.js';

const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
const tmp = () => mkdtempSync(path.join(tmpdir(), 'mcps-config-'));
const load = (env: Record<string, string>, cwd = tmp()) => loadConfig(env, { envFile: false, cwd });

describe('loadConfig', () => {
  it('has the seed defaults', () => {
    const cwd = tmp();
    const c = load({}, cwd);
    expect(c).toMatchObject({
      projectName: 'MCPS.ONE',
      environment: 'development',
      host: '127.0.0.1',
      port: 8000,
      apiPrefix: '/api/v1',
      databaseUrl: `sqlite:///${path.join(cwd, 'data/mcps.db')}`,
      accessTokenExpireMinutes: 30,
      logLevel: 'info',
      mcpTimeoutMs: 30_000,
      mcpMaxRetries: 3,
      dataDir: path.join(cwd, 'data'),
      backupDir: path.join(cwd, 'data/backups'),
      logFile: path.join(cwd, 'logs/app.log'),
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it.each([
    ['PORT', 'eighty', /PORT/],
    ['PORT', '70000', /PORT/],
    ['DEBUG', 'maybe', /DEBUG/],
    ['ENVIRONMENT', 'prod', /ENVIRONMENT/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL/],
    ['CORS_ORIGINS', '["a", 1]', /CORS_ORIGINS/],
    ['MCP_TIMEOUT', '0', /MCP_TIMEOUT/],
    ['MCPS_ADMIN_PASSWORD', 'short', /MCPS_ADMIN_PASSWORD/],
  ])('%s=%s stops start-up with one line naming the variable', (name, value, re) => {
    let err: unknown;
    try {
      load({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message).not.toContain('\n');
  });

  it('accepts the seed forms of lists, booleans and levels', () => {
    const c = load({ CORS_ORIGINS: '["http://localhost:3000", "http://localhost:5173"]', ALLOWED_HOSTS: 'a.example, B.example', DEBUG: 'true', LOG_LEVEL: 'WARNING' });
    expect(c.corsOrigins).toEqual(['http://localhost:3000', 'http://localhost:5173']);
    expect(c.allowedHosts).toEqual(['a.example', 'b.example']);
    expect(c.debug).toBe(true);
    expect(c.logLevel).toBe('warn');
  });

  it('reads a .env file; the environment wins over it', () => {
    const cwd = tmp();
    writeFileSync(path.join(cwd, '.env'), 'PORT=9001\nPROJECT_NAME="From File"\n');
    const c = loadConfig({ PROJECT_NAME: 'From Env' }, { cwd });
    expect(c.port).toBe(9001);
    expect(c.projectName).toBe('From Env');
  });

  describe('SECRET_KEY', () => {
    it.each([
      [undefined, /required/],
      ['your-secret-key-here', /example value/],
      ['too-short-key', /at least 32/],
    ])('production refuses %s', (key, re) => {
      expect(() => load({ ENVIRONMENT: 'production', ...(key ? { SECRET_KEY: key } : {}) })).toThrow(re);
    });

    it('production accepts a strong key', () => {
      const key = 'k'.repeat(20) + 'Q9x!'.repeat(5);
      expect(load({ ENVIRONMENT: 'production', SECRET_KEY: key, MCPS_MASTER_KEY: MASTER_KEY }).secretKey).toBe(key);
    });

    it('development generates one key, mode 0600, kept across starts', () => {
      const cwd = tmp();
      const a = load({}, cwd);
      const file = path.join(cwd, 'data', 'secret_key');
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(a.secretKeySource).toBe('file');
      expect(a.secretKey.length).toBeGreaterThanOrEqual(48);
      expect(load({}, cwd).secretKey).toBe(a.secretKey);
      expect(readFileSync(file, 'utf8')).not.toBe('');
    });
  });
});

describe('master keys and secret settings', () => {
  const strong = 'k'.repeat(20) + 'Q9x!'.repeat(5);

  it('production refuses to start without a master key, in one line', () => {
    expect(() => load({ ENVIRONMENT: 'production', SECRET_KEY: strong })).toThrow(ConfigError);
    expect(() => load({ ENVIRONMENT: 'production', SECRET_KEY: strong })).toThrow(/^Invalid configuration: MCPS_MASTER_KEY: required when ENVIRONMENT=production/);
  });

  it.each([
    [{ MCPS_MASTER_KEY: 'not base64!' }, /MCPS_MASTER_KEY: the key is not valid base64/],
    [{ MCPS_MASTER_KEY: Buffer.alloc(16, 1).toString('base64') }, /MCPS_MASTER_KEY: key v1 must be exactly 32 bytes/],
    [{ MCPS_MASTER_KEYS: 'v2' }, /MCPS_MASTER_KEYS: entry 1/],
    [{ MCPS_MASTER_KEYS: `v1:${MASTER_KEY}`, MCPS_MASTER_KEY: MASTER_KEY }, /MCPS_MASTER_KEYS: set either/],
    [{ MCPS_SECRET_MAX_VERSIONS: '0' }, /MCPS_SECRET_MAX_VERSIONS/],
    [{ MCPS_SECRET_OVERLAP_HOURS: '-1' }, /MCPS_SECRET_OVERLAP_HOURS/],
  ])('%j is refused with one line naming the variable', (env, re) => {
    let err: unknown;
    try {
      load(env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(re);
    expect((err as Error).message).not.toContain('\n');
    expect((err as Error).message).not.toContain(MASTER_KEY);
  });

  it('reads MCPS_MASTER_KEYS newest first, and the secret settings', () => {
    const old = Buffer.alloc(32, 2).toString('base64');
    const c = load({ MCPS_MASTER_KEYS: `v2:${MASTER_KEY},v1:${old}`, MCPS_SECRET_MAX_VERSIONS: '3', MCPS_SECRET_OVERLAP_HOURS: '2' });
    expect(c.masterKeyRing.currentVersion).toBe('v2');
    expect(c.masterKeyRing.versions).toEqual(['v2', 'v1']);
    expect(c.secretMaxVersions).toBe(3);
    expect(c.secretOverlapMs).toBe(2 * 3600 * 1000);
    expect(JSON.stringify(c)).not.toContain(MASTER_KEY);
  });

  it('development generates one master key file, mode 0600, kept across starts; defaults 10 versions, 24 h', () => {
    const cwd = tmp();
    const a = load({}, cwd);
    const file = path.join(cwd, 'data', 'master_key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(a.masterKeyRing.source).toBe('file');
    expect(a.secretMaxVersions).toBe(10);
    expect(a.secretOverlapMs).toBe(24 * 3600 * 1000);
    const b = load({}, cwd);
    const k1 = a.masterKeyRing.keyFor('v1')!;
    const k2 = b.masterKeyRing.keyFor('v1')!;
    expect(k1.equals(k2)).toBe(true);
    expect(k1).toHaveLength(32);
  });
});

describe('sqlitePathOf (SQLAlchemy URL forms)', () => {
  it.each([
    ['sqlite:///./data/mcps.db', './data/mcps.db'],
    ['sqlite:///mcps.db', 'mcps.db'],
    ['sqlite:////var/lib/mcps.db', '/var/lib/mcps.db'],
    ['sqlite::memory:', ':memory:'],
  ])('%s -> %s', (url, p) => expect(sqlitePathOf(url)).toBe(p));

  it('refuses a URL without a path', () => expect(() => sqlitePathOf('sqlite://')).toThrow(/DATABASE_URL/));
});

describe('where the install lives', () => {
  it('without DATABASE_URL, the SQLite file is DATA_DIR/mcps.db (not ./data of the working directory)', () => {
    const cwd = tmp();
    const c = load({ DATA_DIR: '/srv/mcps-data' }, cwd);
    expect(c.databaseUrl).toBe('sqlite:////srv/mcps-data/mcps.db');
    expect(c.settingSources['DATABASE_URL']).toEqual({ value: 'sqlite:////srv/mcps-data/mcps.db', source: 'default' });
  });

  it('MCPS_HOME is the install folder: its .env is read and relative paths resolve against it', () => {
    const home = tmp();
    writeFileSync(path.join(home, '.env'), 'DATA_DIR=./state\nPORT=9123\n');
    const elsewhere = tmp();
    const c = loadConfig({ MCPS_HOME: home }, { cwd: elsewhere });
    expect(c.port).toBe(9123);
    expect(c.dataDir).toBe(path.join(home, 'state'));
    expect(c.databaseUrl).toBe(`sqlite:///${path.join(home, 'state/mcps.db')}`);
    expect(loadConfig({ MCPS_HOME: home, DATABASE_URL: 'sqlite:///./x.db' }, { cwd: elsewhere }).databaseUrl).toBe(`sqlite:///${path.join(home, 'x.db')}`);
    expect(existsSync(path.join(elsewhere, 'data'))).toBe(false);
  });

  it('refuses an MCPS_HOME that is not a folder', () => {
    expect(() => loadConfig({ MCPS_HOME: '/nonexistent/mcps' }, { cwd: tmp() })).toThrow('Invalid configuration: MCPS_HOME: no such folder: /nonexistent/mcps');
  });

  it('for an existing install only: names the missing database or key file and creates nothing', () => {
    const cwd = tmp();
    const existing = (env: Record<string, string>) => loadConfig(env, { envFile: false, cwd, existingInstall: true });
    expect(() => existing({})).toThrow(new ConfigError(`no database at ${path.join(cwd, 'data/mcps.db')} (set MCPS_HOME or DATABASE_URL)`));
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
    const db = path.join(cwd, 'elsewhere.db');
    writeFileSync(db, '');
    const noKeys = existing({ DATABASE_URL: `sqlite:///${db}` });
    expect(() => noKeys.masterKeyRing.keyFor('v1')).toThrow(`no key file at ${path.join(cwd, 'data/master_key')} (set MCPS_HOME or DATA_DIR)`);
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
    load({}, cwd); // an ordinary start creates the keys
    expect(existing({ DATABASE_URL: `sqlite:///${db}` }).secretKey).toBe(load({}, cwd).secretKey);
  });
});
