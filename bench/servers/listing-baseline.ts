import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import Database from 'better-sqlite3';
import Fastify from 'fastify';

/**
 * The fair baseline of bench/api.ts: a minimal Fastify + better-sqlite3 app doing the listing's
 * work and nothing else. GET /api/v1/users?limit=N on the platform's own SQLite file (read-only,
 * LISTING_DB): an HS256 bearer token verified on every request (HMAC and expiry, synchronous), the
 * caller's user row looked up, the page (limit + 1 rows by username) and the total counted, the
 * same JSON as the platform's (items, next_cursor, total). Prints its port and a token.
 */
const file = process.env['LISTING_DB'];
if (!file) throw new Error('LISTING_DB: the SQLite file to list from');
const db = new Database(file, { readonly: true, fileMustExist: true });
const secret = randomBytes(32);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const sign = (data: string) => createHmac('sha256', secret).update(data).digest();

const admin = db.prepare("SELECT id FROM users WHERE username = 'admin'").get() as { id: string };
const head = b64({ alg: 'HS256', typ: 'JWT' });
const body = b64({ sub: admin.id, exp: Math.floor(Date.now() / 1000) + 3600 });
const token = `${head}.${body}.${sign(`${head}.${body}`).toString('base64url')}`;

function verify(authorization: string | undefined): string | null {
  if (!authorization?.startsWith('Bearer ')) return null;
  const parts = authorization.slice(7).split('.');
  if (parts.length !== 3) return null;
  const given = Buffer.from(parts[2]!, 'base64url');
  const want = sign(`${parts[0]}.${parts[1]}`);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
  const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { sub: string; exp: number };
  return claims.exp > Date.now() / 1000 ? claims.sub : null;
}

interface Row {
  id: string;
  username: string;
  role: string;
  disabled_at: string | null;
  last_login_at: string | null;
  created_at: string;
  updated_at: string;
}
const principal = db.prepare('SELECT id, role, disabled_at FROM users WHERE id = ?');
const page = db.prepare('SELECT * FROM users ORDER BY username LIMIT ?');
const count = db.prepare('SELECT count(*) AS n FROM users');

const app = Fastify();
app.get<{ Querystring: { limit?: string } }>('/api/v1/users', async (req, reply) => {
  const sub = verify(req.headers.authorization);
  const who = sub ? (principal.get(sub) as { disabled_at: string | null } | undefined) : undefined;
  if (!who || who.disabled_at) return reply.code(401).send({ title: 'unauthorized' });
  const limit = Math.min(Math.max(Number(req.query.limit ?? 50) || 50, 1), 200);
  const rows = page.all(limit + 1) as Row[];
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map((u) => ({
      id: u.id,
      username: u.username,
      role: u.role,
      disabled: u.disabled_at !== null,
      last_login_at: u.last_login_at,
      created_at: u.created_at,
      updated_at: u.updated_at,
    })),
    next_cursor: rows.length > limit && last ? Buffer.from(JSON.stringify(last.username)).toString('base64url') : null,
    total: (count.get() as { n: number }).n,
  };
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
app.server.on('connection', (s) => s.setNoDelay(true));
process.stdout.write(`READY ${new URL(address).port} ${token}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
