import { createOutboundGuard } from '../../src/lib/outbound-guard.js';
import { createOutboundPolicy } from '../../src/lib/outbound-policy.js';
import type { ChannelSettings } from '../../src/notify/channel-settings.js';
import { createNotifyService, type NotifyService } from '../../src/notify/notify.service.js';
import { localCaller, SYSTEM_CALLER } from '../../src/secrets/secret-caller.js';
import { createTestApp, type TestApp } from './test-app.js';

export interface NotifySetup {
  t: TestApp;
  /** A notify service on the test app's database with a clock the test moves. */
  sut: NotifyService;
  clock: { ms: number; advance(ms: number): void };
  secret(name: string, value: string): Promise<string>;
  channel(name: string, settings: ChannelSettings, language?: 'en' | 'zh-CN'): Promise<string>;
  deliveries(channelId: string): Promise<{ status: string; attempts: number; last_error_code: string | null; next_attempt_at: string }[]>;
  close(): Promise<void>;
}

export async function setUpNotify(worker: { timeoutMs?: number; backoffMs?: number; maxAttempts?: number } = {}): Promise<NotifySetup> {
  const t = await createTestApp();
  const guard = createOutboundGuard(createOutboundPolicy(['127.0.0.0/8']));
  const clock = { ms: Date.now(), advance: (ms: number) => void (clock.ms += ms) };
  const sut = createNotifyService({ db: t.ctx.db, audit: t.ctx.audit, guard, secrets: t.ctx.secrets, now: () => new Date(clock.ms), worker: { timeoutMs: 500, backoffMs: 1_000, ...worker } });
  const cli = localCaller('cli', 'test');
  return {
    t,
    sut,
    clock,
    async secret(name, value) {
      await t.ctx.secrets.create({ name, value }, cli);
      return `\${secret:${name}}`;
    },
    async channel(name, settings, language = 'en') {
      return (await sut.createChannel({ name, settings, language }, SYSTEM_CALLER)).id;
    },
    async deliveries(channelId) {
      return t.ctx.db.selectFrom('notify_deliveries').select(['status', 'attempts', 'last_error_code', 'next_attempt_at']).where('channel_id', '=', channelId).orderBy('id').execute();
    },
    async close() {
      await sut.worker.stop();
      await guard.close();
      await t.close();
    },
  };
}
