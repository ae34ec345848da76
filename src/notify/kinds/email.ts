import { isIP } from 'node:net';
import type { SettingsOf } from '../channel-settings.js';
import { delivered, type DeliveryOutcome, failed } from '../delivery-outcome.js';
import type { SendContext } from '../http-post.js';
import type { Language, NotifyMessage } from '../notify-message.js';
import { headline, plainText } from '../render-message.js';
import { cutText } from '../cut-text.js';
import { wordsFor } from '../message-words.js';

/** The SMTP host resolved through the outbound guard (refused addresses never get a connection). */
function guardedAddress(ctx: SendContext, host: string): Promise<string> {
  return new Promise((done, fail) => ctx.guard.lookup(host, { all: false }, (err, address) => (err ? fail(err) : done(address as string))));
}

const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function mailOf(s: SettingsOf<'email'>, msg: NotifyMessage, language: Language) {
  const text = plainText(msg, language);
  const fields = (msg.fields ?? []).map((f) => `<tr><th align="left">${html(f.name)}</th><td>${html(f.value)}</td></tr>`).join('');
  const link = msg.url ? `<p><a href="${html(msg.url)}">${html(wordsFor(language).open)}</a></p>` : '';
  return {
    from: s.from,
    to: s.to,
    subject: cutText(headline(msg, language), { unit: 'chars', max: 200 }, '…'),
    text,
    html: `<h3>${html(headline(msg, language))}</h3><pre>${html(msg.text)}</pre>${fields ? `<table>${fields}</table>` : ''}${link}`,
  };
}

/** SMTP's verdict: 4xx replies and connection trouble are retried; 5xx replies and refused logins are not. */
function smtpOutcome(err: unknown): DeliveryOutcome {
  const e = err as { responseCode?: number; code?: string; message?: string };
  if (e.code === 'forbidden') return failed(false, 'forbidden', e.message ?? 'refused by the outbound guard');
  if (typeof e.responseCode === 'number') return failed(e.responseCode < 500, e.responseCode, `SMTP ${e.responseCode}: ${e.message ?? ''}`);
  if (e.code === 'EAUTH' || e.code === 'EENVELOPE' || e.code === 'ETLS') return failed(false, e.code, e.message ?? 'SMTP refused');
  return failed(true, e.code ?? 'network', e.message ?? 'SMTP connection failed');
}

/**
 * Email through nodemailer: `security` starttls (the upgrade is required), tls (implicit TLS) or
 * none; AUTH with `username` and the `password` reference. The host is resolved and checked by the
 * outbound guard, and the connection goes to the checked address (TLS still verifies the host name).
 */
export async function deliverEmail(s: SettingsOf<'email'>, msg: NotifyMessage, language: Language, ctx: SendContext): Promise<DeliveryOutcome> {
  let transport: { sendMail(m: unknown): Promise<unknown>; close(): void } | undefined;
  try {
    const address = await guardedAddress(ctx, s.host);
    const nodemailer = (await import('nodemailer')).default;
    transport = nodemailer.createTransport({
      host: address,
      port: s.port,
      secure: s.security === 'tls',
      requireTLS: s.security === 'starttls',
      ignoreTLS: s.security === 'none',
      ...(s.username ? { auth: { user: s.username, pass: s.password ?? '' } } : {}),
      tls: { ...(isIP(s.host) ? {} : { servername: s.host }), ...(s.ca ? { ca: s.ca } : {}) },
      connectionTimeout: ctx.timeoutMs,
      greetingTimeout: ctx.timeoutMs,
      socketTimeout: ctx.timeoutMs,
    });
    await transport.sendMail(mailOf(s, msg, language));
    return delivered;
  } catch (err) {
    return smtpOutcome(err);
  } finally {
    transport?.close();
  }
}
