import type { Insertable, Selectable } from 'kysely';

/**
 * Where alerts come in: one sender (an Alertmanager, a Grafana, any tool posting JSON) and how it
 * proves who it is. Credentials are `${secret:NAME}` references, never values.
 */
export interface AlertReceiverTable {
  id: string;
  name: string;
  kind: 'alertmanager' | 'grafana' | 'generic';
  /** `${secret:NAME}`: the bearer token the sender presents (null: no bearer check). */
  token_ref: string | null;
  /** `${secret:NAME}`: the HMAC-SHA256 key over the raw body (null: no signature check). */
  hmac_ref: string | null;
  /** Header carrying the hex (or `sha256=`hex) signature. */
  signature_header: string;
  /** Header carrying the Unix time signed with the body (`<ts>.<body>`); null: body only. */
  timestamp_header: string | null;
  tolerance_seconds: number;
  /** JSON GenericMapping (generic receivers only). */
  mapping: string | null;
  enabled: number;
  description: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * One episode of an alert: the same fingerprint and startsAt is one row whatever the number of
 * deliveries; a resolve closes it. JSON columns are text.
 */
export interface AlertTable {
  id: string;
  fingerprint: string;
  starts_at: string;
  status: 'firing' | 'resolved';
  ends_at: string | null;
  /** JSON Record<string, string>. */
  labels: string;
  /** JSON Record<string, string>. */
  annotations: string;
  generator_url: string | null;
  receiver_id: string;
  source: string;
  /** JSON: what the sender adds (Grafana's values, dashboard and panel URLs...). */
  extra: string | null;
  received_count: number;
  first_received_at: string;
  last_received_at: string;
  acked_at: string | null;
  acked_by: string | null;
  /** Set when a person resolved it by hand (the sender may still say firing). */
  resolved_by: string | null;
}

export interface AlertNoteTable {
  id: string;
  alert_id: string;
  author: string;
  text: string;
  created_at: string;
}

/** A silence: alerts whose labels match every matcher are muted between starts_at and ends_at. */
export interface AlertSilenceTable {
  id: string;
  /** JSON Matcher[]. */
  matchers: string;
  starts_at: string;
  ends_at: string;
  created_by: string;
  comment: string;
  created_at: string;
  updated_at: string;
}

/** Alertmanager's inhibit_rules: a firing source mutes targets that agree on the `equal` labels. */
export interface AlertInhibitRuleTable {
  id: string;
  name: string;
  source_matchers: string;
  target_matchers: string;
  equal: string;
  created_at: string;
  updated_at: string;
}

/** The routing tree (one row, id 'root'): JSON RouteNode. */
export interface AlertRoutingTable {
  id: string;
  tree: string;
  updated_at: string;
}

/** An aggregation group of the routing tree and its timers, kept so they survive a restart. */
export interface AlertGroupTable {
  key: string;
  route_id: string;
  receiver: string;
  /** JSON Record<string, string>: the group_by labels' values. */
  group_labels: string;
  next_flush_at: string;
  last_notified_at: string | null;
  /** JSON string[]: firing fingerprints of the last notification. */
  last_firing: string;
  /** JSON string[]: resolved fingerprints already notified. */
  last_resolved: string;
  created_at: string;
}

export type AlertReceiverRow = Selectable<AlertReceiverTable>;
export type AlertRow = Selectable<AlertTable>;
export type NewAlertRow = Insertable<AlertTable>;
export type AlertSilenceRow = Selectable<AlertSilenceTable>;
export type AlertInhibitRuleRow = Selectable<AlertInhibitRuleTable>;
export type AlertGroupRow = Selectable<AlertGroupTable>;
