/**
 * What owners hold on the other gateway instances sharing a store, for the cap on processes held
 * (auth.max_processes_per_key). The pool decides synchronously, under its own bookkeeping, so it
 * reads a count kept up to date in the background (cluster/redis-holdings.ts) — close, not atomic:
 * see docs/decisions/0015-shared-limits-and-cache.md. A gateway alone holds nothing elsewhere.
 */
export interface SharedHoldings {
  /** Processes `owner` holds committed on the other instances, as this instance last heard. */
  heldElsewhere(owner: string): number;
  /** Tells the other instances what `count` says this one holds committed, now and from now on. */
  publishFrom(count: () => ReadonlyMap<string, number>): void;
  /** What this instance holds changed: told soon rather than at the next refresh. */
  changed(): void;
  /** Stops publishing and withdraws what this instance published. */
  close(): Promise<void>;
}

export const heldNowhereElse: SharedHoldings = {
  heldElsewhere: () => 0,
  publishFrom: () => {},
  changed: () => {},
  close: async () => {},
};
