import type { Kysely } from 'kysely';
import { createApiKeyRepository } from '../auth/api-key.repository.js';
import type { NewApiKeyRow } from '../auth/api-key.table.js';
import type { Database } from '../db/database.js';
import type { GatewayKeyPolicyRow, GatewayToolPinRow, NewGatewayToolPinRow } from './gateway.table.js';

/** Queries of the gateway domain: tool pins and API-key allowlists. */
export function createGatewayRepository(db: Kysely<Database>) {
  return {
    allPins(): Promise<GatewayToolPinRow[]> {
      return db.selectFrom('gateway_tool_pins').selectAll().orderBy('server').orderBy('tool').execute();
    },
    findPin(server: string, tool: string): Promise<GatewayToolPinRow | undefined> {
      return db.selectFrom('gateway_tool_pins').selectAll().where('server', '=', server).where('tool', '=', tool).executeTakeFirst();
    },
    /** Inserts a first-seen pin; a concurrent insert of the same tool (another instance) wins silently. */
    async insertPin(row: NewGatewayToolPinRow): Promise<void> {
      await db
        .insertInto('gateway_tool_pins')
        .values(row)
        .onConflict((oc) => oc.columns(['server', 'tool']).doNothing())
        .execute();
    },
    async updatePin(server: string, tool: string, set: Partial<Omit<GatewayToolPinRow, 'server' | 'tool'>>): Promise<void> {
      await db.updateTable('gateway_tool_pins').set(set).where('server', '=', server).where('tool', '=', tool).execute();
    },
    async apiKeyExists(id: string): Promise<boolean> {
      return (await db.selectFrom('api_keys').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    },
    findPolicy(apiKeyId: string): Promise<GatewayKeyPolicyRow | undefined> {
      return db.selectFrom('gateway_key_policies').selectAll().where('api_key_id', '=', apiKeyId).executeTakeFirst();
    },
    async upsertPolicy(row: GatewayKeyPolicyRow): Promise<void> {
      await db
        .insertInto('gateway_key_policies')
        .values(row)
        .onConflict((oc) =>
          oc.column('api_key_id').doUpdateSet({ allowed_servers: row.allowed_servers, allowed_tools: row.allowed_tools, updated_at: row.updated_at }),
        )
        .execute();
    },
    /** An API key and its allowlists in one transaction: a key never exists without the policy it was created with. */
    async insertKeyWithPolicy(key: NewApiKeyRow, policy: GatewayKeyPolicyRow | null): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await createApiKeyRepository(trx).insert(key);
        if (policy) await createGatewayRepository(trx).upsertPolicy(policy);
      });
    },
    async deletePolicy(apiKeyId: string): Promise<void> {
      await db.deleteFrom('gateway_key_policies').where('api_key_id', '=', apiKeyId).execute();
    },
  };
}

export type GatewayRepository = ReturnType<typeof createGatewayRepository>;
