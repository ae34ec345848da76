import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { AlertRow } from './alerts.table.js';
import { createInhibitor } from './inhibition.js';
import type { InhibitRulesService } from './inhibit-rules.service.js';
import type { LabelSet } from './label-matchers.js';
import type { SilencesService } from './silences.service.js';

export interface Muting {
  silencedBy(labels: LabelSet): string[];
  inhibitedBy(alert: { fingerprint: string; labels: LabelSet }): string[];
}

/** What mutes alerts right now: the active silences, and the inhibition rules over the firing alerts. */
export async function loadMuting(db: Kysely<Database>, silences: Pick<SilencesService, 'activeMatcher'>, rules: Pick<InhibitRulesService, 'all'>): Promise<Muting> {
  const silencedBy = await silences.activeMatcher();
  const all = await rules.all();
  // Without inhibition rules nothing inhibits: the firing alerts (the whole live table) are not read.
  const firing = all.length === 0 ? [] : await db.selectFrom('alerts').select(['fingerprint', 'labels']).where('status', '=', 'firing').execute();
  const inhibitedBy = createInhibitor(all, firing.map((a) => ({ fingerprint: a.fingerprint, labels: JSON.parse(a.labels) as LabelSet })));
  return { silencedBy, inhibitedBy };
}

export const labelsOf = (row: Pick<AlertRow, 'labels'>): LabelSet => JSON.parse(row.labels) as LabelSet;
