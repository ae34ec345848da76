import { AppError } from '../http/app-error.js';
import { differs, fromEntry, toEntry, type McpServersEntry, type McpServersFile } from './mcp-servers-json.js';
import { toDefinition, type ServerDefinition } from './server-definition.js';
import type { ServerRow } from './server.table.js';
import type { ServerInput, ServerPatch } from './servers.service.js';
import type { ServersRepository } from './servers.repository.js';

export interface ImportReport {
  created: { name: string; source: string }[];
  updated: { name: string; source: string }[];
  skipped: { name: string | null; source: string; reason: string }[];
}

interface ImportDeps {
  repo: Pick<ServersRepository, 'findByName'>;
  all: () => Promise<ServerRow[]>;
  withDefaults: (input: ServerInput) => ServerDefinition;
  insert: (def: ServerDefinition) => Promise<ServerRow>;
  change: (row: ServerRow, patch: ServerPatch) => Promise<ServerRow>;
}

/**
 * Import and export of the `mcpServers` JSON. An import creates new names, updates names whose
 * command / args / env / URL / headers differ (other settings are kept), and skips unchanged or
 * unusable entries, saying why. Each entry is validated like an API create.
 */
export function createServerImport(deps: ImportDeps) {
  return {
    async importConfig(file: { mcpServers?: Record<string, McpServersEntry> | undefined; servers?: Record<string, McpServersEntry> | undefined }): Promise<ImportReport> {
      const entries = Object.entries(file.mcpServers ?? file.servers ?? {});
      if (entries.length === 0) throw new AppError('validation', 'no servers to import: expected {"mcpServers": {"name": {...}}}');
      const report: ImportReport = { created: [], updated: [], skipped: [] };
      const seen = new Set<string>();
      for (const [source, entry] of entries) {
        const fields = fromEntry(source, entry);
        if ('skip' in fields) {
          report.skipped.push({ name: null, source, reason: fields.skip });
          continue;
        }
        if (seen.has(fields.name)) {
          report.skipped.push({ name: fields.name, source, reason: 'another entry in this file has the same name' });
          continue;
        }
        seen.add(fields.name);
        try {
          const existing = await deps.repo.findByName(fields.name);
          if (!existing) {
            await deps.insert(deps.withDefaults(fields));
            report.created.push({ name: fields.name, source });
          } else if (differs(toDefinition(existing), fields)) {
            await deps.change(existing, fields);
            report.updated.push({ name: fields.name, source });
          } else {
            report.skipped.push({ name: fields.name, source, reason: 'unchanged' });
          }
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          report.skipped.push({ name: fields.name, source, reason: err.message });
        }
      }
      return report;
    },

    /** Stored values as they are: references stay references, nothing is resolved. */
    async exportConfig(): Promise<McpServersFile> {
      const mcpServers: Record<string, McpServersEntry> = {};
      for (const row of await deps.all()) mcpServers[row.name] = toEntry(toDefinition(row));
      return { mcpServers };
    },
  };
}
