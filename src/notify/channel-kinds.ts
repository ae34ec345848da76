import type { ChannelKindName, ChannelSettings, SettingsOf } from './channel-settings.js';
import type { DeliveryOutcome } from './delivery-outcome.js';
import type { SendContext } from './http-post.js';
import { deliverDingtalk } from './kinds/dingtalk.js';
import { deliverEmail } from './kinds/email.js';
import { deliverFeishu } from './kinds/feishu.js';
import { deliverSlack } from './kinds/slack.js';
import { deliverTelegram } from './kinds/telegram.js';
import { deliverWebhook } from './kinds/webhook.js';
import { deliverWecom } from './kinds/wecom.js';
import type { Language, NotifyMessage } from './notify-message.js';

type Deliver<K extends ChannelKindName> = (s: SettingsOf<K>, msg: NotifyMessage, language: Language, ctx: SendContext) => Promise<DeliveryOutcome>;

/** A vendor's rate: at most `max` messages per `windowMs` per `key` (several channels may share a robot or chat). */
export interface RateRule {
  key: string;
  max: number;
  windowMs: number;
}

const DELIVER: { [K in ChannelKindName]: Deliver<K> } = {
  webhook: deliverWebhook,
  slack: deliverSlack,
  dingtalk: deliverDingtalk,
  wecom: deliverWecom,
  feishu: deliverFeishu,
  telegram: deliverTelegram,
  email: deliverEmail,
};

/** Sends one message over a channel whose settings have their secrets resolved. */
export function deliverTo(s: ChannelSettings, msg: NotifyMessage, language: Language, ctx: SendContext): Promise<DeliveryOutcome> {
  return (DELIVER[s.kind] as Deliver<typeof s.kind>)(s as never, msg, language, ctx);
}

/**
 * The vendors' published limits, keyed on the stored (unresolved) settings: DingTalk and WeCom 20
 * a minute per robot, Slack about one a second per webhook, Feishu 5 a second, Telegram 20 a minute
 * per group chat (and one a second per chat). Webhook and email: none.
 */
export function rateRulesOf(channelId: string, s: ChannelSettings): RateRule[] {
  switch (s.kind) {
    case 'dingtalk':
      return [{ key: `dingtalk:${s.access_token}`, max: 20, windowMs: 60_000 }];
    case 'wecom':
      return [{ key: `wecom:${s.key}`, max: 20, windowMs: 60_000 }];
    case 'slack':
      return [{ key: `slack:${s.webhook_url}`, max: 1, windowMs: 1_000 }];
    case 'feishu':
      return [{ key: `feishu:${s.hook_token}`, max: 5, windowMs: 1_000 }];
    case 'telegram':
      return [
        { key: `telegram:${s.chat_id}:s`, max: 1, windowMs: 1_000 },
        { key: `telegram:${s.chat_id}:m`, max: 20, windowMs: 60_000 },
      ];
    default:
      return [{ key: `channel:${channelId}`, max: 1_000_000, windowMs: 1_000 }];
  }
}
