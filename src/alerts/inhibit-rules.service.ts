import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { AppError } from '../http/app-error.js';
import { newId } from '../lib/ids.js';
import type { Audited } from '../logs/audited.js';
import { assertPermitted, type SecretCaller } from '../secrets/secret-caller.js';
import type { InhibitRuleInput, InhibitRuleView } from './alerts.schema.js';
import type { AlertInhibitRuleRow } from './alerts.table.js';
import { compileMatchers } from './label-matchers.js';

/** Inhibition rules (Alertmanager's inhibit_rules); admins manage them. */
export function createInhibitRulesService(deps: { db: Kysely<Database>; audited: Audited; now: () => Date }) {
  const target = (id: string | null) => ({ type: 'alert_inhibit_rule', id });
  const toView = (r: AlertInhibitRuleRow): InhibitRuleView => ({ ...r, source_matchers: JSON.parse(r.source_matchers), target_matchers: JSON.parse(r.target_matchers), equal: JSON.parse(r.equal) });

  async function find(idOrName: string): Promise<AlertInhibitRuleRow> {
    const row = await deps.db.selectFrom('alert_inhibit_rules').selectAll().where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)])).executeTakeFirst();
    if (!row) throw AppError.notFound('Inhibition rule', idOrName);
    return row;
  }

  function columns(input: InhibitRuleInput) {
    compileMatchers([...input.source_matchers, ...input.target_matchers]);
    return { name: input.name, source_matchers: JSON.stringify(input.source_matchers), target_matchers: JSON.stringify(input.target_matchers), equal: JSON.stringify(input.equal) };
  }

  return {
    /** Every rule, for the inhibitor. */
    async all(): Promise<InhibitRuleView[]> {
      return (await deps.db.selectFrom('alert_inhibit_rules').selectAll().orderBy('name').execute()).map(toView);
    },

    async list(caller: SecretCaller): Promise<{ items: InhibitRuleView[] }> {
      assertPermitted(caller, 'alerts:read');
      return { items: await this.all() };
    },

    async create(input: InhibitRuleInput, caller: SecretCaller): Promise<InhibitRuleView> {
      return deps.audited(caller, { action: 'alert.inhibit_rule.create', target: target(input.name) }, async () => {
        assertPermitted(caller, 'alerts:manage');
        if (await deps.db.selectFrom('alert_inhibit_rules').select('id').where('name', '=', input.name).executeTakeFirst()) throw new AppError('conflict', `inhibition rule '${input.name}' already exists`);
        const now = deps.now().toISOString();
        const row: AlertInhibitRuleRow = { id: newId(), ...columns(input), created_at: now, updated_at: now };
        await deps.db.insertInto('alert_inhibit_rules').values(row).execute();
        return toView(row);
      });
    },

    async update(id: string, input: InhibitRuleInput, caller: SecretCaller): Promise<InhibitRuleView> {
      return deps.audited(caller, { action: 'alert.inhibit_rule.update', target: target(id) }, async () => {
        assertPermitted(caller, 'alerts:manage');
        const row = await find(id);
        const next = { ...row, ...columns(input), updated_at: deps.now().toISOString() };
        await deps.db.updateTable('alert_inhibit_rules').set(next).where('id', '=', row.id).execute();
        return toView(next);
      });
    },

    async remove(id: string, caller: SecretCaller): Promise<void> {
      await deps.audited(caller, { action: 'alert.inhibit_rule.delete', target: target(id) }, async () => {
        assertPermitted(caller, 'alerts:manage');
        const row = await find(id);
        await deps.db.deleteFrom('alert_inhibit_rules').where('id', '=', row.id).execute();
      });
    },
  };
}

export type InhibitRulesService = ReturnType<typeof createInhibitRulesService>;
