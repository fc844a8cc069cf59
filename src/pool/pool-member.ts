/**
 * A pooled CLI process and what the pool knows about it. State changes only inside the pool.
 *
 *   starting ─probe─► spare ─initialize─► leased ─/clear─► idle ─► leased …
 *       └─(claimed by a waiter while booting)─► initialize ─► leased
 *   leased ─(turn of a conversation)─► bound ─(next turn of that conversation)─► leased
 *   bound ─(session timeout, evicted, conversation moved on elsewhere)─► clearing ─► idle
 */
import type { ClaudeProcess } from "../claude/claude-process.js";

export type MemberState = "starting" | "spare" | "preparing" | "leased" | "clearing" | "idle" | "bound";

/** The conversation whose CLI session a process holds, as of which completed turn. */
export interface ConversationBinding {
  id: string;
  revision: number;
}

export class PoolMember {
  state: MemberState = "starting";
  /** Set once initialized: the full launch profile key it now serves. */
  profileKey: string | undefined;
  /**
   * The owner it was first leased to: a process never serves two owners (the owner is part of the
   * profile key); undefined for a spare nobody has used yet.
   */
  owner: string | undefined;
  /** The model last set with set_model (undefined: the one it was spawned with). */
  model: string | undefined;
  /** The effort level last applied (undefined: the CLI's default). */
  effort: string | undefined;
  lastUsedAt = Date.now();
  leasedAt = 0;
  /** Resolves when the process answered its boot probe; rejects if it died first. */
  booted: Promise<void>;
  /** Set when a waiter claimed this process while it was still starting. */
  claimed = false;
  /** Set while the process holds a conversation's session (state "bound", or leased for it). */
  conversation: ConversationBinding | undefined;
  /** The last /clear: of which conversation's session, and when it is over. */
  clearing: { conversationId: string | undefined; done: Promise<void> } | undefined;

  constructor(
    readonly process: ClaudeProcess,
    readonly spawnKey: string,
    probe: () => Promise<void>,
  ) {
    this.booted = probe();
    this.booted.catch(() => {});
  }
}
