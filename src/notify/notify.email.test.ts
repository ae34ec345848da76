import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NotifySetup, setUpNotify } from '../../test/helpers/notify-setup.js';
import { selfSignedCert, type SmtpSink, startSmtpSink } from '../../test/helpers/smtp-sink.js';
import { SYSTEM_CALLER } from '../secrets/secret-caller.js';

/** Email through nodemailer to smtp-server on 127.0.0.1, which requires AUTH. */
let s: NotifySetup;
const cert = selfSignedCert();
const sinks: SmtpSink[] = [];
const msg = { title: '磁盘将满', text: 'db-1 /var 97%', severity: 'critical' as const, fields: [{ name: 'host', value: 'db-1' }] };

beforeAll(async () => {
  s = await setUpNotify({ timeoutMs: 3_000 });
  await s.secret('SMTP_PW', 'smtp-pass');
  await s.secret('SMTP_WRONG', 'nope');
});
afterAll(async () => {
  await Promise.all(sinks.map((k) => k.close()));
  await s.close();
});

async function sink(mode: 'plain' | 'starttls' | 'tls') {
  const k = await startSmtpSink({ user: 'alerts', password: 'smtp-pass', mode, tls: cert });
  sinks.push(k);
  return k;
}

async function sendVia(name: string, port: number, security: 'none' | 'starttls' | 'tls', password = '${secret:SMTP_PW}') {
  const id = await s.channel(name, { kind: 'email', host: '127.0.0.1', port, security, username: 'alerts', password, from: 'mcps@example.com', to: ['ops@example.com'], ca: cert.cert }, 'zh-CN');
  await s.sut.send(id, msg, SYSTEM_CALLER);
  await s.sut.worker.tick();
  return (await s.deliveries(id))[0]!;
}

describe('email', () => {
  it('plain SMTP with AUTH: the mail arrives with the subject and fields', async () => {
    const k = await sink('plain');
    expect(await sendVia('mail-plain', k.port, 'none')).toMatchObject({ status: 'delivered' });
    expect(k.mails).toHaveLength(1);
    expect(k.mails[0]).toMatchObject({ from: 'mcps@example.com', to: ['ops@example.com'], user: 'alerts', secure: false });
    expect(k.mails[0]!.raw).toMatch(/^Subject: /m);
  });

  it('STARTTLS: upgraded before AUTH', async () => {
    const k = await sink('starttls');
    expect(await sendVia('mail-starttls', k.port, 'starttls')).toMatchObject({ status: 'delivered' });
    expect(k.mails[0]).toMatchObject({ user: 'alerts', secure: true });
  });

  it('implicit TLS', async () => {
    const k = await sink('tls');
    expect(await sendVia('mail-tls', k.port, 'tls')).toMatchObject({ status: 'delivered' });
    expect(k.mails[0]!.secure).toBe(true);
  });

  it('a refused password: failed with SMTP 535, not retried, nothing delivered', async () => {
    const k = await sink('plain');
    expect(await sendVia('mail-badpw', k.port, 'none', '${secret:SMTP_WRONG}')).toMatchObject({ status: 'failed', attempts: 1, last_error_code: '535' });
    expect(k.mails).toHaveLength(0);
  });

  it('STARTTLS required but not offered: failed, no mail sent in clear', async () => {
    const k = await sink('plain');
    expect(await sendVia('mail-notls', k.port, 'starttls')).toMatchObject({ status: 'failed' });
    expect(k.mails).toHaveLength(0);
  });
});
