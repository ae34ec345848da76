import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../config.js';
import { restartSettings } from './restart-settings.js';
import { settingsResponse, settingsUpdateBody, settingsUpdateResponse } from './system.schema.js';
import type { SettingsService } from './settings.service.js';
import type { AuditTargetId } from '../http/audit-target.js';

/** The settings a change names (comma-separated), as the service's own row names them. */
const changedKeys: AuditTargetId = ({ request }) => {
  const keys = Object.keys((request.body as object | undefined) ?? {});
  return keys.length > 0 ? keys.join(',') : null;
};

/**
 * `/system/config`: runtime settings (operators read, admins change) and, read-only, the settings
 * that need a restart with their source. The service audits each change (old and new values) and
 * each refused one; the hook only records calls refused before it (401, 403, 400).
 */
export const settingsRoutes: FastifyPluginAsyncZod<{ settings: SettingsService; config: Readonly<Config> }> = async (app, { settings, config }) => {
  const tags = ['system'];
  app.get('/system/config', {
    config: { auth: 'system:config:read' },
    schema: { tags, summary: 'Runtime settings, and the settings that need a restart (secrets masked)', response: { 200: settingsResponse } },
  }, async () => {
    const runtime = settings.list();
    return { runtime, restart_required: restartSettings(config, runtime) };
  });

  app.put('/system/config', {
    config: { auth: 'system:config:write', audit: { action: 'system.config.update', target: { type: 'settings', id: changedKeys } } },
    schema: { tags, summary: 'Change runtime settings (validated, stored, applied at once, audited)', body: settingsUpdateBody(config.settingSources), response: { 200: settingsUpdateResponse } },
  }, async (req) => {
    const p = req.principal!;
    req.auditRecorded = true;
    const result = await settings.update(req.body, { actor: { type: p.type, id: p.id, name: p.name }, ip: req.ip, requestId: req.id });
    return { changes: result.changes, runtime: result.settings, restart_required: restartSettings(config, result.settings) };
  });
};
