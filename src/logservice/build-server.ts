import { McpServer } from '@modelcontextprotocol/server';
import type { AlertsRuntime } from '../alerts/alerts-runtime.js';
import { registerAlertsTools } from '../alerts/alerts.tools.js';
import type { AnalyzerService } from '../analyzer/analyzer.service.js';
import { registerAnalyzerTools } from '../analyzer/analyzer.tools.js';
import type { Principal } from '../auth/principal.js';
import type { CaptureService } from '../capture/capture.service.js';
import { registerCaptureTools } from '../capture/capture.tools.js';
import type { ServerScope } from '../gateway/access/server-access.js';
import type { JobsService } from '../jobs/jobs.service.js';
import { registerJobsTools } from '../jobs/jobs.tools.js';
import type { MonitorsService } from '../monitors/monitors.service.js';
import { registerMonitorsTools } from '../monitors/monitors.tools.js';
import type { NotifyService } from '../notify/notify.service.js';
import { registerNotifyTools } from '../notify/notify.tools.js';
import { principalCaller } from '../secrets/secret-caller.js';
import type { SecretsService } from '../secrets/secrets.service.js';
import { registerSecretsTools } from '../secrets/secrets.tools.js';
import type { StorageService } from '../storage/storage.service.js';
import { registerStorageTools } from '../storage/storage.tools.js';
import { VERSION } from '../version.js';

/** The name the log service has in the gateway (`mcps__get_secret`) and in the protocol log. */
export const LOG_SERVICE_NAME = 'mcps';

export interface LogServiceDeps {
  secrets: SecretsService;
  /** Object storage (list_storage_profiles, list_log_files, download_logs); absent in set-ups without it. */
  storage?: StorageService;
  /** Notifications (list_channels, send_notification). */
  notify?: NotifyService;
  /** Log analysis (analyze_logs, search_logs, mine_templates, compare_logs, export_report). */
  analyzer?: AnalyzerService;
  /** Alerts (alert_summary, list_alerts, get_alert, ack_alert, silence_alerts, list_silences). */
  alerts?: AlertsRuntime;
  /** Health checks and monitors (health_check, list_monitors, monitor_status). */
  monitors?: MonitorsService;
  /** Batch jobs (start_batch, get_batch, list_batches, cancel_batch). */
  jobs?: JobsService;
  /** Dashboard capture (list_dashboards, capture_dashboard). */
  capture?: CaptureService;
  /** The servers a principal may reach (the gateway's access rules), for call_tool batches. */
  scopeFor?: (principal: Principal) => Promise<ServerScope>;
  /** Values handed to the client, to keep out of the protocol log (ServersRuntime.secretValues.remember). */
  onReveal?: (secret: { name: string; value: string }) => void;
}

/**
 * The log-service MCP server: every domain's tools, acting as `principal` (same permissions and audit
 * as the REST API). One server per client session, since identity differs per session; the transport
 * (stdio, the gateway's in-process link) is chosen by the caller.
 */
export function buildLogServiceServer(deps: LogServiceDeps, principal: Principal): McpServer {
  const server = new McpServer(
    { name: LOG_SERVICE_NAME, title: 'MCPS.ONE log service', version: VERSION },
    {
      capabilities: { tools: {} },
      instructions: 'Operations tools of MCPS.ONE. Log files in object storage: list_log_files, then download_logs. Log tools read files under the configured log roots (or inline text): start with analyze_logs, then search_logs, mine_templates or compare_logs; export_report saves a result. Alerts from Alertmanager/Grafana webhooks: alert_summary says what is firing (grouped, since when, how often); list_alerts lists the alerts; ack_alert, silence_alerts. Monitors: list_monitors, monitor_status; health_check checks a URL, host:port, name, database or server now. Notifications: list_channels, then send_notification. Dashboards: list_dashboards, then capture_dashboard returns a screenshot. For many files or many calls, start_batch runs them in the background (get_batch follows it). Secret values are returned only by get_secret, which is audited with your reason.',
    },
  );
  const caller = principalCaller(principal);
  registerSecretsTools(server, { secrets: deps.secrets, caller, ...(deps.onReveal ? { onReveal: deps.onReveal } : {}) });
  if (deps.storage) registerStorageTools(server, { storage: deps.storage, caller });
  if (deps.notify) registerNotifyTools(server, { notify: deps.notify, caller });
  if (deps.analyzer) registerAnalyzerTools(server, { analyzer: deps.analyzer, caller });
  if (deps.alerts) registerAlertsTools(server, { alerts: deps.alerts, caller });
  if (deps.capture) registerCaptureTools(server, { capture: deps.capture, caller });
  if (deps.monitors) registerMonitorsTools(server, { monitors: deps.monitors, caller });
  if (deps.jobs) registerJobsTools(server, { jobs: deps.jobs, caller, ...(deps.scopeFor ? { scope: () => deps.scopeFor!(principal) } : {}) });
  return server;
}
