import type { AlertGroupTable, AlertInhibitRuleTable, AlertNoteTable, AlertReceiverTable, AlertRoutingTable, AlertSilenceTable, AlertTable } from '../alerts/alerts.table.js';
import type { TemplateModelTable } from '../analyzer/template-model.table.js';
import type { ApiKeyTable } from '../auth/api-key.table.js';
import type { LoginAttemptTable } from '../auth/login-attempt.table.js';
import type { UserTable } from '../auth/user.table.js';
import type { GatewayKeyPolicyTable, GatewayToolPinTable } from '../gateway/gateway.table.js';
import type { JobBatchTable, JobItemTable } from '../jobs/jobs.table.js';
import type { LeaseTable } from '../leases/lease.table.js';
import type { McpLogTable } from '../protocol-log/mcp-log.table.js';
import type { NotifyChannelTable, NotifyDeliveryTable } from '../notify/notify.table.js';
import type { OperationLogTable } from '../logs/operation-log.table.js';
import type { SystemLogTable } from '../logs/system-log.table.js';
import type { PublicationTable } from '../pipe/publication.table.js';
import type { SecretTable, SecretVersionTable } from '../secrets/secret.table.js';
import type { ServerTable } from '../servers/server.table.js';
import type { StorageFileTable, StorageProfileTable } from '../storage/storage.table.js';
import type { SettingsTable } from '../system/settings.table.js';

/** Every table, gathered from the domain folders. */
export interface Database {
  users: UserTable;
  api_keys: ApiKeyTable;
  login_attempts: LoginAttemptTable;
  system_logs: SystemLogTable;
  operation_logs: OperationLogTable;
  mcp_logs: McpLogTable;
  secrets: SecretTable;
  secret_versions: SecretVersionTable;
  servers: ServerTable;
  settings: SettingsTable;
  publications: PublicationTable;
  gateway_tool_pins: GatewayToolPinTable;
  gateway_key_policies: GatewayKeyPolicyTable;
  leases: LeaseTable;
  storage_profiles: StorageProfileTable;
  storage_files: StorageFileTable;
  analyzer_template_models: TemplateModelTable;
  alert_receivers: AlertReceiverTable;
  alerts: AlertTable;
  alert_notes: AlertNoteTable;
  alert_silences: AlertSilenceTable;
  alert_inhibit_rules: AlertInhibitRuleTable;
  alert_routing: AlertRoutingTable;
  alert_groups: AlertGroupTable;
  job_batches: JobBatchTable;
  job_items: JobItemTable;
  notify_channels: NotifyChannelTable;
  notify_deliveries: NotifyDeliveryTable;
}
