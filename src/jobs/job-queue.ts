/**
 * How claimable items reach a worker. Both modes keep every state in the database (item-claims.ts):
 * the embedded queue runs what this instance finds; the BullMQ queue puts what any instance finds on
 * Redis, where the workers of every instance take it. Either way an item runs only once claimed.
 */
export interface JobQueue {
  readonly mode: 'embedded' | 'bullmq';
  /** Starts looking for work (every poll interval, and at once after `kick`). */
  start(): Promise<void>;
  /** New or freed work: look now rather than at the next poll. */
  kick(): void;
  /** Stops looking and taking; running attempts are stopped and their items given back. */
  close(): Promise<void>;
}
