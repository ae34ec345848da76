import type { Logger } from 'pino';
import type { Principal } from '../../auth/principal.js';
import { revealHidden } from './hidden-text.js';
import type { ToolPins } from './tool-pins.js';
import { fullName, namespacedName } from './tool-names.js';
import type { BuiltinServer, ManagedSource } from '../sessions/upstream-sources.js';
import { builtinUpstream } from '../sessions/upstream-sources.js';

/** One tool of the aggregated catalogue, as the REST API shows it. */
export interface CatalogueTool {
  /** The name gateway clients see in the aggregate (`{server}__{tool}`, shortened past 64 characters). */
  name: string;
  /** `{server}__{tool}` before shortening (what allowlist globs match). */
  full_name: string;
  shortened: boolean;
  server: string;
  tool: string;
  kind: 'managed' | 'builtin';
  /** Whether the server runs now; pins of stopped servers are listed from the database. */
  running: boolean;
  /** approved: shown and callable; quarantined: hidden and refused until approved. */
  state: 'approved' | 'quarantined';
  flags: string[];
  description: string | null;
  /** The current definition's hash; for quarantined tools the one to approve. */
  hash: string;
  approved_hash: string | null;
  approved_at: string | null;
  approved_by: string | null;
  changed_at: string | null;
  /** For quarantined tools: the approved and the pending definition, invisible characters shown as <U+XXXX>. */
  review: { approved: unknown; pending: unknown } | null;
}

interface CatalogueDeps {
  managed: ManagedSource;
  builtins: readonly BuiltinServer[];
  pins: ToolPins;
  separator: string;
  log: Pick<Logger, 'debug'>;
}

const reveal = (json: string | null): unknown => (json === null ? null : JSON.parse(revealHidden(json)));

/** Every tool of every running server and built-in, with its gateway name and pin state. */
export async function buildCatalogue(deps: CatalogueDeps, principal: Principal): Promise<CatalogueTool[]> {
  const sep = deps.separator;
  const managed = await Promise.all(
    deps.managed.running().map(async (server) => {
      try {
        const u = await deps.managed.get(server);
        if (!u.capabilities()?.tools) return [];
        const tools = await u.listTools();
        const verdicts = await deps.pins.check(server, tools);
        return Promise.all(
          tools.map(async (tool, i): Promise<CatalogueTool> => {
            const pin = await deps.pins.get(server, tool.name);
            const quarantined = verdicts[i]!.state === 'quarantined';
            return {
              ...namesOf(server, tool.name, sep),
              kind: 'managed',
              running: true,
              state: verdicts[i]!.state,
              flags: verdicts[i]!.flags,
              description: tool.description ?? null,
              hash: verdicts[i]!.hash,
              approved_hash: pin?.hash || null,
              approved_at: pin?.approved_at ?? null,
              approved_by: pin?.approved_by ?? null,
              changed_at: pin?.changed_at ?? null,
              review: quarantined && pin ? { approved: reveal(pin.definition), pending: reveal(pin.pending_definition) } : null,
            };
          }),
        );
      } catch (err) {
        deps.log.debug({ server, err }, 'gateway catalogue: server skipped');
        return [];
      }
    }),
  );
  const builtin = await Promise.all(
    deps.builtins.map(async (b) => {
      try {
        const client = await b.open(principal);
        try {
          const tools = await builtinUpstream(b.name, client).listTools();
          return tools.map((tool): CatalogueTool => {
            return {
              ...namesOf(b.name, tool.name, sep),
              kind: 'builtin',
              running: true,
              state: 'approved',
              flags: [],
              description: tool.description ?? null,
              hash: '',
              approved_hash: null,
              approved_at: null,
              approved_by: 'built-in',
              changed_at: null,
              review: null,
            };
          });
        } finally {
          await client.close().catch(() => {});
        }
      } catch (err) {
        deps.log.debug({ server: b.name, err }, 'gateway catalogue: built-in skipped');
        return [];
      }
    }),
  );
  const running = new Set(deps.managed.running());
  const stopped = (await deps.pins.all())
    .filter((p) => !running.has(p.server) && !deps.builtins.some((b) => b.name === p.server))
    .map((pin): CatalogueTool => {
      const current = JSON.parse(pin.pending_definition ?? pin.definition) as { description?: string } | null;
      return {
        ...namesOf(pin.server, pin.tool, sep),
        kind: 'managed',
        running: false,
        state: pin.state,
        flags: JSON.parse(pin.flags) as string[],
        description: current?.description ?? null,
        hash: pin.pending_hash ?? pin.hash,
        approved_hash: pin.hash || null,
        approved_at: pin.approved_at,
        approved_by: pin.approved_by,
        changed_at: pin.changed_at,
        review: pin.state === 'quarantined' ? { approved: reveal(pin.definition), pending: reveal(pin.pending_definition) } : null,
      };
    });
  return [...managed.flat(), ...builtin.flat(), ...stopped];
}

/** How a tool is named in the catalogue: exposed (namespaced, maybe shortened), in full, and its origin. */
function namesOf(server: string, tool: string, sep: string) {
  const name = namespacedName(server, tool, sep);
  return { name, full_name: fullName(server, tool, sep), shortened: name !== fullName(server, tool, sep), server, tool };
}
