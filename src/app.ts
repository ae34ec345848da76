import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { authRoutes } from './auth/auth.routes.js';
import { createConsoleSession } from './auth/console-session.js';
import { sessionRoutes } from './auth/session.routes.js';
import { createSsoHandoff } from './auth/sso/sso-handoff.js';
import { ssoRoutes } from './auth/sso/sso.routes.js';
import { consoleRoutes } from './console/console.routes.js';
import { backupsRoutes } from './backups/backups.routes.js';
import { usersRoutes } from './auth/users.routes.js';
import type { AppContext } from './context.js';
import { registerForwarding } from './cluster/forward-hook.js';
import { gatewayRoutes } from './gateway/gateway.routes.js';
import { installSessionPostShortcut } from './gateway/transport/session-post-shortcut.js';
import { mcpHttpRoutes } from './gateway/transport/mcp-http.routes.js';
import { oauthInteractionRoutes } from './auth/oauth/oauth-interactions.routes.js';
import { oauthRoutes } from './auth/oauth/oauth.routes.js';
import { registerAuditHook } from './http/audit-hook.js';
import { registerAuthGuard } from './http/auth-guard.js';
import { registerErrorHandler } from './http/error-handler.js';
import { createEventStreams } from './http/event-streams.js';
import { lazyChildLogger } from './http/lazy-child-logger.js';
import { registerJsonBodyParser } from './http/json-body.js';
import { registerOpenApi } from './http/openapi.js';
import { responseSerializerCompiler } from './http/response-serializer.js';
import './http/route-config.js';
import { requestIdOf } from './http/request-id.js';
import { registerSecurity } from './http/security.js';
import { registerServerScope } from './http/server-scope.js';
import { logsStreamRoutes } from './logs/logs-stream.routes.js';
import { logsRoutes } from './logs/logs.routes.js';
import { publicationsRoutes } from './pipe/publications.routes.js';
import { secretsRoutes } from './secrets/secrets.routes.js';
import { analyzerRoutes } from './analyzer/analyzer.routes.js';
import { serversRoutes } from './servers/servers.routes.js';
import { stderrStreamRoutes } from './servers/stderr-stream.routes.js';
import { notifyRoutes } from './notify/notify.routes.js';
import { storageRoutes } from './storage/storage.routes.js';
import { captureRoutes } from './capture/capture.routes.js';
import { alertsRoutes } from './alerts/alerts.routes.js';
import { webhooksRoutes } from './alerts/webhooks.routes.js';
import { jobsRoutes } from './jobs/jobs.routes.js';
import { monitorsRoutes } from './monitors/monitors.routes.js';
import { systemHealthRoutes } from './system/health.routes.js';
import { registerHttpStats } from './system/http-stats.js';
import { prometheusRoutes } from './system/prometheus.routes.js';
import { settingsRoutes } from './system/settings.routes.js';
import { systemRoutes } from './system/system.routes.js';
import { VERSION } from './version.js';

/** Builds the HTTP app: infrastructure plugins, then domains. Listening is server.ts's job. */
export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const { config } = ctx;
  const app = Fastify({
    loggerInstance: ctx.log as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    requestIdHeader: false,
    genReqId: requestIdOf,
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(responseSerializerCompiler);
  registerErrorHandler(app);
  registerJsonBodyParser(app);

  // Hooks that never wait take Fastify's `done` callback: no promise and no microtask per request.
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  // The level is fixed at start-up: below debug, no hook at all.
  if (ctx.log.isLevelEnabled('debug')) {
    app.addHook('onResponse', async (request, reply) => {
      request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    });
  }

  registerHttpStats(app, ctx.system.http);
  const security = await registerSecurity(app, { allowedHosts: config.allowedHosts, corsOrigins: () => ctx.system.settings.get('cors.origins') });
  await registerOpenApi(app, { title: config.projectName, version: VERSION, apiPrefix: config.apiPrefix });
  const session = createConsoleSession(config.secretKey, { apiPrefix: config.apiPrefix });
  const handoff = createSsoHandoff(config.secretKey);
  await app.register(fastifyCookie);
  registerAuthGuard(app, { auth: ctx.auth, apiPrefix: config.apiPrefix, session, bearer: ctx.oauth.bearer });
  // Several instances: requests for a server another instance runs go there (after authentication).
  const forwarding = registerForwarding(app, { ...ctx.cluster, placementOf: (key) => ctx.servers.servers.placementOf(key), anyPlacedOne: () => ctx.servers.servers.anyPlacedOne() });
  registerAuditHook(app, { audit: ctx.audit, apiPrefix: config.apiPrefix });
  registerServerScope(app, {
    apiPrefix: config.apiPrefix,
    scopeFor: (principal) => ctx.gateway.access.scopeFor(principal),
    serverNamedBy: (param, value) => (param === 'tool_id' ? ctx.servers.servers.nameOf(value) : ctx.pipes.publications.serverOf(value)),
  });

  // The live views' server-sent event streams end before the server closes, or closing would wait on them.
  const streams = createEventStreams();
  app.addHook('preClose', async () => streams.closeAll());

  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  await app.register(prometheusRoutes, { prometheus: ctx.system.prometheus, auth: ctx.auth, access: ctx.gateway.access, token: config.metricsToken });

  await app.register(
    async (api) => {
      await api.register(authRoutes, { auth: ctx.auth, users: ctx.users, loginMaxPerMinute: config.loginMaxPerMinute });
      await api.register(sessionRoutes, { auth: ctx.auth, session, loginMaxPerMinute: config.loginMaxPerMinute });
      await api.register(ssoRoutes, { sso: ctx.sso, session, auth: ctx.auth, apiPrefix: config.apiPrefix, handoff, loginMaxPerMinute: config.loginMaxPerMinute });
      await api.register(usersRoutes, { users: ctx.users });
      await api.register(logsRoutes, { logs: ctx.logs });
      await api.register(logsStreamRoutes, { logs: ctx.logs, live: ctx.live, streams });
      await api.register(secretsRoutes, { secrets: ctx.secrets });
      await api.register(analyzerRoutes, { analyzer: ctx.analyzer });
      await api.register(serversRoutes, { servers: ctx.servers.servers });
      await api.register(stderrStreamRoutes, { servers: ctx.servers.servers, live: ctx.live, streams });
      await api.register(storageRoutes, { storage: ctx.storage });
      await api.register(captureRoutes, { capture: ctx.capture });
      await api.register(alertsRoutes, { alerts: ctx.alerts });
      await api.register(webhooksRoutes, { webhooks: ctx.alerts.webhooks });
      await api.register(jobsRoutes, { jobs: ctx.jobs.service });
      await api.register(monitorsRoutes, { monitors: ctx.monitors.service });
      await api.register(notifyRoutes, { notify: ctx.notify });
      await api.register(publicationsRoutes, { publications: ctx.pipes.publications });
      await api.register(backupsRoutes, { backups: ctx.backups.service, scheduler: ctx.backups.scheduler });
      await api.register(gatewayRoutes, { gateway: ctx.gateway, auth: ctx.auth });
      await api.register(systemHealthRoutes, { db: ctx.db, dialect: ctx.dialect, version: VERSION, startedAt: ctx.startedAt, platformChecks: ctx.monitors.platformHealth });
      await api.register(systemRoutes, { system: ctx.system.service });
      await api.register(settingsRoutes, { settings: ctx.system.settings, config });
    },
    { prefix: config.apiPrefix },
  );

  await app.register(oauthRoutes, { server: ctx.oauth.server, resources: ctx.oauth.resources, authorizationServers: ctx.oauth.authorizationServers, resourceName: `${config.projectName} MCP gateway` });
  if (ctx.oauth.server) await app.register(oauthInteractionRoutes, { server: ctx.oauth.server, auth: ctx.auth, users: ctx.oauth.users, audit: ctx.audit, resources: ctx.oauth.resources, projectName: config.projectName, sso: ctx.sso, handoff, apiPrefix: config.apiPrefix });
  await app.register(mcpHttpRoutes, {
    gateway: ctx.gateway,
    corsOrigins: () => ctx.system.settings.get('cors.origins'),
    resourceMetadataOf: (path) => {
      const resource = ctx.oauth.resources.resourceOfPath(path);
      return resource && ctx.oauth.authorizationServers.length > 0 ? ctx.oauth.resources.metadataUrlOf(resource) : null;
    },
  });
  installSessionPostShortcut(app, { gateway: ctx.gateway, auth: ctx.auth, security, forwarding, stats: ctx.system.http, bodyLimit: config.bodyLimit, log: ctx.log });
  await app.register(consoleRoutes, { projectName: config.projectName, apiPrefix: config.apiPrefix, version: VERSION });
  return app;
}
