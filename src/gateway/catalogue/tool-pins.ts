import type { Tool } from '@modelcontextprotocol/server';
import type { Logger } from 'pino';
import { AppError } from '../../http/app-error.js';
import { nowIso } from '../../lib/clock.js';
import type { GatewayRepository } from '../gateway.repository.js';
import type { GatewayToolPinRow } from '../gateway.table.js';
import { hiddenTextFlags } from './hidden-text.js';
import { definitionHash, pinnedDefinition } from './tool-hash.js';

export type PinState = 'approved' | 'quarantined';

export interface PinVerdict {
  /** Shown and callable: the definition is the approved one. */
  visible: boolean;
  state: PinState;
  hash: string;
  flags: string[];
}

export interface ToolPins {
  /** Pins new tools (trust on first use) and quarantines changed ones; one verdict per tool, in order. */
  check(server: string, tools: readonly Tool[]): Promise<PinVerdict[]>;
  /** Approves the pending definition; `expectedHash` (if given) must be the pending one. */
  approve(server: string, tool: string, by: string, expectedHash?: string): Promise<GatewayToolPinRow>;
  get(server: string, tool: string): Promise<GatewayToolPinRow | undefined>;
  all(): Promise<GatewayToolPinRow[]>;
}

const RELOAD_MS = 10_000;

const key = (server: string, tool: string) => `${server}\u0000${tool}`;

/**
 * Tool pinning against "rug pull" tool poisoning. The first definition seen is pinned (its hash
 * recorded) unless it hides invisible text, which quarantines it at once. A later definition with
 * another hash quarantines the tool: hidden from lists and refused on call until an admin approves
 * it. Going back to the approved definition lifts the quarantine. Pins are cached in memory,
 * written through, and reloaded every 10 s so changes made by another instance show up.
 */
export function createToolPins(deps: { repo: GatewayRepository; log: Pick<Logger, 'warn' | 'info'> }): ToolPins {
  const { repo, log } = deps;
  let loaded: Promise<Map<string, GatewayToolPinRow>> | null = null;
  let loadedAt = 0;
  /** The map `loaded` resolved to (null until it has): read synchronously by the fast check below. */
  let ready: Map<string, GatewayToolPinRow> | null = null;
  /** One writer per server at a time, so two sessions listing at once pin a tool once. */
  const queues = new Map<string, Promise<unknown>>();

  /** Reloaded every RELOAD_MS, so approvals made on another instance are seen here within that time. */
  const pins = () => {
    if (!loaded || Date.now() - loadedAt > RELOAD_MS) {
      loadedAt = Date.now();
      ready = null;
      const next = repo.allPins().then((rows) => new Map(rows.map((r) => [key(r.server, r.tool), r])));
      next.then(
        (map) => {
          if (loaded === next) ready = map;
        },
        () => {
          if (loaded === next) loaded = null;
        },
      );
      loaded = next;
    }
    return loaded;
  };

  const serial = <T>(server: string, fn: () => Promise<T>): Promise<T> => {
    const prev = queues.get(server) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    queues.set(server, tail);
    void tail.then(() => queues.get(server) === tail && queues.delete(server));
    return next;
  };

  const verdictOf = (pin: GatewayToolPinRow, hash: string): PinVerdict => ({
    visible: pin.state === 'approved' && pin.hash === hash,
    state: pin.state,
    hash,
    flags: JSON.parse(pin.flags) as string[],
  });

  /** Lists are cached upstream until list_changed, so the same Tool objects come back: hash once. */
  const hashes = new WeakMap<Tool, { def: Record<string, unknown>; hash: string }>();
  const hashOf = (tool: Tool) => {
    let h = hashes.get(tool);
    if (!h) {
      const def = pinnedDefinition(tool);
      h = { def, hash: definitionHash(def) };
      hashes.set(tool, h);
    }
    return h;
  };

  const seen = async (map: Map<string, GatewayToolPinRow>, server: string, tool: Tool): Promise<PinVerdict> => {
    const { def, hash } = hashOf(tool);
    const k = key(server, tool.name);
    const pin = map.get(k);
    const now = nowIso();
    if (!pin) {
      const flags = hiddenTextFlags(def);
      const quarantined = flags.length > 0;
      const row: GatewayToolPinRow = {
        server,
        tool: tool.name,
        hash: quarantined ? '' : hash,
        definition: quarantined ? 'null' : JSON.stringify(def),
        state: quarantined ? 'quarantined' : 'approved',
        pending_hash: quarantined ? hash : null,
        pending_definition: quarantined ? JSON.stringify(def) : null,
        flags: JSON.stringify(flags),
        first_seen_at: now,
        changed_at: null,
        approved_at: quarantined ? null : now,
        approved_by: quarantined ? null : 'first-use',
      };
      await repo.insertPin(row);
      const stored = (await repo.findPin(server, tool.name)) ?? row;
      map.set(k, stored);
      if (quarantined) log.warn({ server, tool: tool.name, flags }, 'gateway: new tool hides invisible text; quarantined until approved');
      return verdictOf(stored, hash);
    }
    if (pin.state === 'approved' && pin.hash === hash) return verdictOf(pin, hash);
    if (pin.state === 'quarantined' && pin.hash === hash) {
      const set = { state: 'approved' as const, pending_hash: null, pending_definition: null, flags: '[]', changed_at: now };
      await repo.updatePin(server, tool.name, set);
      map.set(k, { ...pin, ...set });
      log.info({ server, tool: tool.name }, 'gateway: tool went back to its approved definition; quarantine lifted');
      return verdictOf(map.get(k)!, hash);
    }
    if (pin.state === 'quarantined' && pin.pending_hash === hash) return verdictOf(pin, hash);
    const flags = ['changed', ...hiddenTextFlags(def)];
    const set = { state: 'quarantined' as const, pending_hash: hash, pending_definition: JSON.stringify(def), flags: JSON.stringify(flags), changed_at: now };
    await repo.updatePin(server, tool.name, set);
    map.set(k, { ...pin, ...set });
    log.warn({ server, tool: tool.name, flags }, 'gateway: tool definition changed; quarantined until an admin approves it');
    return verdictOf(map.get(k)!, hash);
  };

  /**
   * The verdicts without queueing when every tool is pinned, approved and unchanged (a call's
   * re-check, nearly always): nothing to write, so no need to wait for this server's writer.
   */
  const approvedAsIs = (server: string, tools: readonly Tool[]): PinVerdict[] | null => {
    if (ready === null || loaded === null || Date.now() - loadedAt > RELOAD_MS || queues.has(server)) return null;
    const out: PinVerdict[] = [];
    for (const tool of tools) {
      const pin = ready.get(key(server, tool.name));
      const { hash } = hashOf(tool);
      if (!pin || pin.state !== 'approved' || pin.hash !== hash) return null;
      out.push({ visible: true, state: 'approved', hash, flags: pin.flags === '[]' ? [] : (JSON.parse(pin.flags) as string[]) });
    }
    return out;
  };

  return {
    check(server, tools) {
      const fast = approvedAsIs(server, tools);
      if (fast !== null) return Promise.resolve(fast);
      return serial(server, async () => {
        const map = await pins();
        const out: PinVerdict[] = [];
        for (const tool of tools) out.push(await seen(map, server, tool));
        return out;
      });
    },
    approve(server, tool, by, expectedHash) {
      return serial(server, async () => {
        const map = await pins();
        const pin = map.get(key(server, tool)) ?? (await repo.findPin(server, tool));
        if (!pin) throw new AppError('not_found', `no pinned tool '${tool}' on server '${server}'`);
        if (pin.state !== 'quarantined' || !pin.pending_hash || !pin.pending_definition) {
          throw new AppError('conflict', `tool '${tool}' of '${server}' is not quarantined; nothing to approve`);
        }
        if (expectedHash !== undefined && expectedHash !== pin.pending_hash) {
          throw new AppError('conflict', `the pending definition of '${tool}' changed since you reviewed it (hash ${pin.pending_hash}); review it again`);
        }
        const set = {
          state: 'approved' as const,
          hash: pin.pending_hash,
          definition: pin.pending_definition,
          pending_hash: null,
          pending_definition: null,
          flags: '[]',
          approved_at: nowIso(),
          approved_by: by,
        };
        await repo.updatePin(server, tool, set);
        const row = { ...pin, ...set };
        map.set(key(server, tool), row);
        return row;
      });
    },
    async get(server, tool) {
      return (await pins()).get(key(server, tool));
    },
    async all() {
      return [...(await pins()).values()].sort((a, b) => (a.server + a.tool < b.server + b.tool ? -1 : 1));
    },
  };
}
