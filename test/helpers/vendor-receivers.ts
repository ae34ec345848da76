import { createHmac } from 'node:crypto';
import type { Answer, ReceivedRequest } from './http-receiver.js';

/**
 * Handlers playing each vendor: they check what the vendor checks, as its documentation says, and
 * answer with the vendor's own success and error shapes.
 */

const HOUR = 3600_000;
const b64 = (key: string, msg: string) => createHmac('sha256', key).update(msg).digest('base64');

/** DingTalk robot: access_token; signed mode: timestamp (ms, within 1 h) and sign = urlencode(base64(HMAC(secret, `ts\nsecret`))); keywords. */
export function dingtalkRobot(opts: { token: string; secret?: string; keyword?: string }): (r: ReceivedRequest) => Answer {
  return (r) => {
    const raw = new URLSearchParams(r.url.split('?')[1] ?? '');
    if (!r.url.startsWith('/robot/send?')) return { status: 404, body: 'not found' };
    if (raw.get('access_token') !== opts.token) return { status: 200, body: { errcode: 300001, errmsg: 'token is not exist' } };
    if (opts.secret) {
      const ts = Number(raw.get('timestamp'));
      const encoded = /(?:^|&)sign=([^&]*)/.exec(r.url.split('?')[1] ?? '')?.[1] ?? '';
      if (!ts || Math.abs(Date.now() - ts) > HOUR) return { status: 200, body: { errcode: 310000, errmsg: 'sign not match, more: [timestamp is out of range]' } };
      if (encoded !== encodeURIComponent(b64(opts.secret, `${ts}\n${opts.secret}`))) return { status: 200, body: { errcode: 310000, errmsg: 'sign not match' } };
    }
    const content = JSON.stringify(r.json?.markdown ?? r.json?.text ?? '');
    if (opts.keyword && !content.includes(opts.keyword)) return { status: 200, body: { errcode: 310000, errmsg: 'keywords not in content' } };
    if (r.json?.msgtype !== 'markdown' || !r.json.markdown?.title || !r.json.markdown?.text) return { status: 200, body: { errcode: 40035, errmsg: 'missing parameter' } };
    return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
  };
}

/** WeCom group robot: key; markdown content ≤ 4,096 bytes, text ≤ 2,048 bytes. */
export function wecomRobot(opts: { key: string }): (r: ReceivedRequest) => Answer {
  return (r) => {
    const q = new URLSearchParams(r.url.split('?')[1] ?? '');
    if (q.get('key') !== opts.key) return { status: 200, body: { errcode: 93000, errmsg: 'invalid webhook url' } };
    const md = r.json?.markdown?.content as string | undefined;
    const text = r.json?.text?.content as string | undefined;
    if (md !== undefined && Buffer.byteLength(md) > 4096) return { status: 200, body: { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' } };
    if (text !== undefined && Buffer.byteLength(text) > 2048) return { status: 200, body: { errcode: 40058, errmsg: 'content exceed max length 2048' } };
    if (md === undefined && text === undefined) return { status: 200, body: { errcode: 40008, errmsg: 'invalid message type' } };
    return { status: 200, body: { errcode: 0, errmsg: 'ok' } };
  };
}

/** Feishu custom bot: hook token in the path; signed mode: timestamp (s, within 1 h) and sign = base64(HMAC(key = `ts\nsecret`, "")). */
export function feishuBot(opts: { token: string; secret?: string }): (r: ReceivedRequest) => Answer {
  return (r) => {
    if (r.url !== `/open-apis/bot/v2/hook/${opts.token}`) return { status: 200, body: { code: 19001, msg: 'param invalid: incoming webhook access token invalid' } };
    if (opts.secret) {
      const ts = Number(r.json?.timestamp);
      if (!ts || Math.abs(Date.now() / 1000 - ts) > 3600 || r.json?.sign !== b64(`${ts}\n${opts.secret}`, ''))
        return { status: 200, body: { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' } };
    }
    if (r.body.length > 20 * 1024) return { status: 200, body: { code: 9499, msg: 'Bad Request' } };
    return { status: 200, body: { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' } };
  };
}

/** Telegram Bot API sendMessage: token in the path; text ≤ 4,096 characters. */
export function telegramBot(opts: { token: string }): (r: ReceivedRequest) => Answer {
  return (r) => {
    if (r.url !== `/bot${opts.token}/sendMessage`) return { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } };
    const text = String(r.json?.text ?? '');
    if (!text) return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message text is empty' } };
    if ([...text].length > 4096) return { status: 400, body: { ok: false, error_code: 400, description: 'Bad Request: message is too long' } };
    return { status: 200, body: { ok: true, result: { message_id: 1, chat: { id: r.json.chat_id }, text } } };
  };
}

/** Slack incoming webhook: `text` or `blocks` required; plain-text answers. */
export function slackWebhook(): (r: ReceivedRequest) => Answer {
  return (r) => (r.json && (r.json.text || r.json.blocks) ? { status: 200, body: 'ok' } : { status: 400, body: 'invalid_payload' });
}
