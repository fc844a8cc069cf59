/** What a chat request brings to a conversation turn, and what beginning one needs. */
import type { StorageLimits } from "../auth/caller.js";
import type { LaunchProfile, ProcessNeeds } from "../claude/launch-profile.js";
import type { ProcessPool } from "../pool/process-pool.js";
import type { LockTiming } from "./conversation-lock.js";
import type { TurnDependencies } from "./conversation-turn.js";
import type { HistoryEntry } from "./history-digest.js";

export interface ConversationTurnRequest {
  owner: string;
  /** From the body's `conversation_id` or the `x-conversation-id` header. */
  conversationId: string | undefined;
  /** false (`store: false`): a one-off completion that starts no conversation and continues none. */
  persist: boolean;
  /** What the request needs of its process (client tools, structured output). */
  needs: ProcessNeeds;
  /**
   * The named conversation's first turn was just abandoned while waiting for tool results, so it
   * has no record yet: this request starts it under that id.
   */
  firstTurnAbandoned?: boolean;
  systemPrompt: string | undefined;
  earlierEntries: HistoryEntry[];
  newEntries: HistoryEntry[];
  signal: AbortSignal;
  /** The caller's storage quotas, checked before anything runs for a turn that will be stored. */
  storage: StorageLimits;
}

export interface ConversationTurnDependencies extends TurnDependencies, LockTiming {
  pool: ProcessPool;
  launchProfile(owner: string, systemPrompt: string | undefined, needs?: ProcessNeeds): LaunchProfile;
  /** How long a resume waits for the previous turn's transcript to reach the store. */
  transcriptWaitMs: number;
}
