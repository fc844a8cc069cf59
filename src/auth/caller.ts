/**
 * Who is calling and what they may do. Every request gets a Caller from its key (or, on keyless
 * loopback, the operator): the owner id its conversations, processes and room belong to, and its
 * grants. Without a grant a caller gets a model and nothing more.
 */
import type { GrantName } from "../config/configuration-schema.js";
import { GatewayError } from "../errors.js";

export interface CallerLimits {
  requestsPerMinute?: number;
  maxConcurrentRequests?: number;
  /** CLI processes this caller may hold at once (undefined: no cap, the operator). */
  maxProcesses?: number;
}

/** What this caller may keep in the conversation store (quotas, retention). */
export interface StorageLimits {
  maxConversations: number;
  /** Items, CLI transcripts and system prompts, in bytes. */
  maxStoredBytes: number;
  /** Days a conversation is kept after its last turn (0: until deleted). */
  retentionDays: number;
}

export interface Caller {
  /** `key_<16 hex>` of the key's digest; "" for the operator on keyless loopback. */
  readonly owner: string;
  /** The key's configured name (never the key); "operator" without keys. */
  readonly name: string;
  readonly grants: ReadonlySet<GrantName>;
  readonly limits: CallerLimits;
  readonly storage: StorageLimits;
}

/** 403 permission_denied naming the missing grant, or nothing when the caller has it. */
export function requireGrant(caller: Caller, grant: GrantName, what: string): void {
  if (caller.grants.has(grant)) return;
  throw new GatewayError(
    `${what} needs the '${grant}' grant, which this API key does not have${caller.owner === "" ? " (or the configuration does not enable it)" : ""}.`,
    { status: 403, type: "permission_error", code: "permission_denied", param: null, retryable: false },
  );
}
