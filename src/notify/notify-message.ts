import { z } from 'zod';

export const severities = ['critical', 'error', 'warning', 'info', 'resolved'] as const;
export type Severity = (typeof severities)[number];
export const languages = ['en', 'zh-CN'] as const;
export type Language = (typeof languages)[number];

/**
 * What `NotifyService.send` takes: one message, rendered per channel (Markdown where the channel
 * has it) in the channel's language unless `language` overrides it; each channel's length limit is
 * kept by cutting with a marker, never by failing.
 */
export const notifyMessage = z
  .object({
    title: z.string().min(1).max(500),
    text: z.string().max(64 * 1024),
    severity: z.enum(severities),
    fields: z.array(z.object({ name: z.string().min(1).max(200), value: z.string().max(2000) })).max(50).optional(),
    url: z.url().max(2000).optional(),
    language: z.enum(languages).optional(),
  })
  .strict()
  .meta({ id: 'NotifyMessage' });

export type NotifyMessage = z.infer<typeof notifyMessage>;
