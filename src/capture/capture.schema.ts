import { z } from 'zod';
import { CONTROL_CHARACTERS } from '../lib/outbound-guard.js';
import { secretRef } from '../secrets/secret-ref-schema.js';


const headerValue = z.string().max(4000).refine((v) => !CONTROL_CHARACTERS.test(v), 'no control characters');
/** Grafana's relative times (`now-6h`, `now/d`) or epoch milliseconds or ISO times. */
export const timeText = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9:.+\-/ ]+$/, 'e.g. now-1h, now, 1733150000000 or an ISO time');
const variables = z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'variable names: letters, digits, _ . -'), z.union([z.string().max(500), z.array(z.string().max(500)).max(100)]));
export const dashboardName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, - and _ (at most 63)');

const dashboardFields = {
  kind: z.enum(['url', 'grafana']).describe('url: any page; grafana: a Grafana base URL and a dashboard uid'),
  url: z.url().max(2000).describe('The page (url), or the Grafana base URL such as https://grafana.example.com/ (grafana)'),
  uid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).nullable().optional().describe('grafana: the dashboard uid'),
  panel_id: z.number().int().min(0).max(1_000_000).nullable().optional().describe('grafana: one panel only (/d-solo/)'),
  mode: z.enum(['browser', 'render']).optional().describe('browser (default): headless Chromium; render: the Grafana image renderer (/render/d/...)'),
  token: secretRef.nullable().optional().describe('grafana: a service-account token, ${secret:NAME} (sent as a Bearer token to this origin only)'),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,100}$/), headerValue).optional().describe('Headers sent to the dashboard origin; values may hold ${secret:NAME}'),
  cookies: z.record(z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/), headerValue).optional().describe('Cookies sent to the dashboard origin; values may hold ${secret:NAME}'),
  time_from: timeText.optional().describe('Default start of the time range (default now-1h)'),
  time_to: timeText.optional().describe('Default end (default now)'),
  variables: variables.optional().describe('Default dashboard variables (var-NAME)'),
  width: z.number().int().min(200).max(4096).optional().describe('Viewport width in CSS pixels (default 1600)'),
  height: z.number().int().min(200).max(4096).optional().describe('Viewport height (default 900)'),
  theme: z.enum(['light', 'dark']).nullable().optional(),
  description: z.string().max(500).nullable().optional(),
};

export const createDashboardBody = z.object({ name: dashboardName, ...dashboardFields });
export const updateDashboardBody = z.object(dashboardFields).partial();

export const dashboardView = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(['url', 'grafana']),
    url: z.string(),
    uid: z.string().nullable(),
    panel_id: z.number().int().nullable(),
    mode: z.enum(['browser', 'render']),
    token: z.string().nullable().describe('The secret reference, never the value'),
    headers: z.record(z.string(), z.string()),
    cookies: z.record(z.string(), z.string()),
    time_from: z.string(),
    time_to: z.string(),
    variables: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
    width: z.number().int(),
    height: z.number().int(),
    theme: z.enum(['light', 'dark']).nullable(),
    description: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Dashboard' });

export const dashboardList = z.object({ items: z.array(dashboardView) });
export const idParams = z.object({ id: z.string().min(1).max(100).describe('The id (or, for a dashboard, its name)') });

/** What a capture may override: the time range, variables, one panel, the image. */
export const captureFields = {
  from: timeText.optional().describe('Start of the time range, e.g. now-1h (default: the dashboard\'s)'),
  to: timeText.optional().describe('End of the time range, e.g. now'),
  vars: variables.optional().describe('Dashboard variables, merged over the saved ones'),
  panel_id: z.number().int().min(0).max(1_000_000).optional().describe('Grafana: capture one panel (/d-solo/)'),
  width: z.number().int().min(200).max(4096).optional(),
  height: z.number().int().min(200).max(4096).optional(),
  scale: z.number().min(0.5).max(3).optional().describe('Device pixel ratio (default 1)'),
  theme: z.enum(['light', 'dark']).optional(),
  format: z.enum(['png', 'pdf']).optional().describe('png (default) or pdf'),
  mode: z.enum(['browser', 'render']).optional().describe('Grafana: render uses the image renderer (/render/d/...)'),
  timeout_seconds: z.number().int().min(1).max(600).optional().describe('Time the page has to finish loading (default MCPS_CAPTURE_TIMEOUT_SECONDS)'),
};
export const captureBody = z.object(captureFields);

export const screenshotView = z
  .object({
    id: z.string(),
    dashboard_id: z.string().nullable(),
    dashboard_name: z.string().nullable(),
    url: z.string().describe('The page captured'),
    mode: z.enum(['browser', 'render']),
    format: z.enum(['png', 'pdf']),
    mime_type: z.string(),
    bytes: z.number().int(),
    width: z.number().int(),
    height: z.number().int(),
    time_from: z.string().nullable(),
    time_to: z.string().nullable(),
    ms: z.number().int().describe('How long the capture took'),
    created_by: z.string().nullable(),
    created_at: z.string(),
    link: z.string().describe('Where to download the file (GET, authenticated)'),
  })
  .meta({ id: 'Screenshot' });

export const captureResult = screenshotView.extend({
  blocked: z.array(z.object({ url: z.string(), reason: z.string() })).describe('Sub-requests of the page refused by the outbound rules'),
});

export const screenshotList = z.object({ items: z.array(screenshotView), total: z.number().int() });
export const screenshotsQuery = z.object({
  dashboard: z.string().max(100).optional().describe('Dashboard id or name'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export const screenshotFile = {
  description: 'The image (PNG) or document (PDF)',
  content: {
    'image/png': { schema: z.any().meta({ type: 'string', format: 'binary' }) },
    'application/pdf': { schema: z.any().meta({ type: 'string', format: 'binary' }) },
  },
};

export type CreateDashboardInput = z.infer<typeof createDashboardBody>;
export type UpdateDashboardInput = z.infer<typeof updateDashboardBody>;
export type DashboardView = z.infer<typeof dashboardView>;
export type CaptureInput = z.infer<typeof captureBody>;
export type ScreenshotView = z.infer<typeof screenshotView>;
export type CaptureResult = z.infer<typeof captureResult>;
