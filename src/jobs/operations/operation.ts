import type { z } from 'zod';
import type { Permission } from '../../auth/permissions.js';
import type { ServerScope } from '../../gateway/access/server-access.js';
import type { SecretCaller } from '../../secrets/secret-caller.js';

/** What an item's run gets: who it runs as (the batch's creator, role read again just now) and its stop signal. */
export interface ItemContext {
  caller: SecretCaller;
  /** `user:<name>` / `api_key:<name>`: how the protocol log names the caller. */
  callerLabel: string | null;
  signal: AbortSignal;
  /** The managed servers and tools the creator may reach (an API key's allowlists). */
  scope: ServerScope;
}

/** What expanding a batch gets: the starter's stop signal and server scope. */
export interface ExpandContext {
  signal?: AbortSignal | undefined;
  scope: ServerScope;
}

/**
 * One kind of batch work. `expand` turns the batch's parameters into its items when the batch is
 * started (e.g. listing keys); `run` does one item and returns its compact result, or throws (an
 * AppError whose code is permanent, e.g. forbidden or validation, is not retried). A later issue adds
 * an operation by writing one such file and listing it in operations/index.ts.
 */
export interface Operation<P = any, I = any> {
  name: string;
  description: string;
  params: z.ZodType<P>;
  /** What the creator must hold besides jobs:write, checked at start and before each item. */
  permissions: readonly Permission[];
  expand(params: P, caller: SecretCaller, ctx: ExpandContext): Promise<I[]>;
  run(params: P, input: I, ctx: ItemContext): Promise<unknown>;
}
