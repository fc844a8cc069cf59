/**
 * One turn of one conversation, from the moment it is known which conversation it belongs to until
 * it is recorded: what to send, where to run it, and — once the CLI's `result` arrived — the
 * record written to the store before the client sees the end of the answer.
 */
import type { StorageLimits } from "../auth/caller.js";
import type { LaunchProfile, Room } from "../claude/launch-profile.js";
import type { Logger } from "../observability/logger.js";
import type { ConversationBinding, ConversationClaim } from "../pool/process-pool.js";
import type { SessionFiles } from "../rooms/session-files.js";
import type { ConversationItem, ConversationRecord, ConversationStore } from "../store/conversation-store.js";
import { newItemId } from "./conversation-ids.js";
import { extendDigest, type HistoryEntry } from "./history-digest.js";
import type { Reservation, StorageQuota } from "./storage-quota.js";
import type { TranscriptSync } from "./transcript-sync.js";

/**
 * What the CLI must be told besides the new input:
 *   session — nothing, the conversation continues in its CLI session (bound or resumed);
 *   request — the request's earlier messages, as text (a conversation the gateway does not know);
 *   items   — the conversation's stored items, as text (created with items, never run yet).
 */
export type Replay = { kind: "session" } | { kind: "request" } | { kind: "items"; items: ConversationItem[] };

export interface ConversationTurnParts {
  conversationId: string;
  /** false for a one-off completion (`store: false`): nothing is recorded, the process is cleared. */
  persist: boolean;
  owner: string;
  /** The stored conversation as the turn starts; undefined for a conversation it creates. */
  record: ConversationRecord | undefined;
  systemPrompt: string | null;
  profile: LaunchProfile;
  claim: ConversationClaim | undefined;
  replay: Replay;
  digestBefore: string;
  newEntries: HistoryEntry[];
  /** Set when the conversation is locked for this turn. */
  lockHolder: string | undefined;
  /** What the turn will store, held against its owner's quota until it is stored (persisted turns). */
  reservation: Reservation | undefined;
  /** The owner's quotas, for what the turn takes in later (tool results). */
  storage: StorageLimits;
}

export interface TurnDependencies {
  store: ConversationStore;
  /** Where a profile's processes keep their session transcripts. */
  roomOf(profile: LaunchProfile): Room;
  transcriptSync: TranscriptSync;
  /** Where a one-off turn's session files go once it is over. */
  sessionFiles: SessionFiles;
  quota: StorageQuota;
  logger: Logger;
}

export class ConversationTurn {
  private kept: ConversationBinding | undefined;
  private finished = false;
  /** Set once the reservation is the transcript copy's to give back. */
  private handedOver = false;
  /** The CLI session the turn ran in, as its lines said. */
  private sessionId: string | undefined;
  /** Messages of this turn before its final answer: tool calls and their results. */
  private readonly exchanged: HistoryEntry[] = [];

  constructor(
    private readonly parts: ConversationTurnParts,
    private readonly dependencies: TurnDependencies,
  ) {}

  /** The conversation the completion belongs to; undefined for a one-off (`store: false`). */
  get conversationId(): string | undefined {
    return this.parts.persist ? this.parts.conversationId : undefined;
  }
  /** Whose turn it is: only the same owner may continue it. */
  get owner(): string {
    return this.parts.owner;
  }
  get profile(): LaunchProfile {
    return this.parts.profile;
  }
  get claim(): ConversationClaim | undefined {
    return this.parts.claim;
  }
  get replay(): Replay {
    return this.parts.replay;
  }
  /** The conversation's revision: advanced once this turn is recorded. */
  get revision(): number {
    return this.kept?.revision ?? this.parts.record?.revision ?? 0;
  }
  /** The system prompt the turn runs under (null: none). */
  get systemPrompt(): string | null {
    return this.parts.systemPrompt;
  }
  /** The model of the conversation's last turn, for a request that names none. */
  get model(): string | undefined {
    return this.parts.record?.model ?? undefined;
  }

  /** The CLI's lines of this turn, passed through: notes the session they belong to. */
  async *track<Line extends { session_id?: string }>(lines: AsyncIterable<Line>): AsyncGenerator<Line> {
    for await (const line of lines) {
      this.sessionId ??= line.session_id || undefined;
      yield line;
    }
  }

  /** A tool-call answer of this turn, or the client's results for it, in the order they happened. */
  addExchange(entries: HistoryEntry[]): void {
    this.exchanged.push(...entries);
  }

  /**
   * Client tool results land in the session's transcript like any message: they are held against
   * the quota too (429 quota_exceeded, and the turn keeps waiting, when they do not fit).
   */
  async reserveResults(entries: HistoryEntry[]): Promise<void> {
    const { parts } = this;
    if (!parts.persist) return;
    const more = await this.dependencies.quota.reserve(parts.owner, parts.storage, {
      newConversation: false,
      entries: [],
      replayed: entries, // tool traffic is not kept as items
    });
    const earlier = parts.reservation;
    parts.reservation = Object.assign(
      () => {
        earlier?.();
        more();
      },
      { recorded: () => earlier?.recorded() },
    );
  }

  /**
   * Records the completed turn (items, digest, session id) in one atomic store write; the session
   * transcript follows in the background. Only then may the process keep the session.
   */
  async complete(reply: {
    text: string;
    model: string;
    sessionId: string;
    lastMessageId: string | undefined;
  }): Promise<void> {
    const { parts } = this;
    if (!parts.persist) return;
    const { store, transcriptSync, logger, roomOf } = this.dependencies;
    const entries: HistoryEntry[] = [
      ...parts.newEntries,
      ...this.exchanged,
      { role: "assistant", text: reply.text.trim() },
    ];
    const createdAt = Math.floor(Date.now() / 1000);
    const revision = parts.record?.revision ?? 0;
    const outcome = await store.recordTurn(parts.conversationId, parts.owner, {
      expectedRevision: revision,
      model: reply.model,
      systemPrompt: parts.systemPrompt,
      sessionId: reply.sessionId,
      historyDigest: extendDigest(parts.digestBefore, entries),
      // Items are the conversation's messages: what users said and the answers (tool traffic not).
      items: [...parts.newEntries.filter((entry) => entry.role === "user"), entries.at(-1) as HistoryEntry].map(
        (entry) => ({
          id: newItemId(),
          role: entry.role === "assistant" ? ("assistant" as const) : ("user" as const),
          text: entry.text,
          createdAt,
        }),
      ),
    });
    if (outcome === "conflict") {
      // Only possible if the lock expired mid-turn: the other writer wins, this session is dropped.
      logger.warn({ conversation: parts.conversationId, revision }, "a conversation moved on during a turn");
      return;
    }
    this.kept = { id: parts.conversationId, revision: revision + 1 };
    // The store counts the conversation now; a place held for it would count it twice.
    parts.reservation?.recorded();
    // The turn's bytes count against the quota once its transcript is stored, not before.
    this.handedOver = true;
    const reservation = parts.reservation;
    const copied = transcriptSync.schedule({
      conversationId: parts.conversationId,
      revision: revision + 1,
      sessionId: reply.sessionId,
      marker: reply.lastMessageId,
      room: roomOf(parts.profile),
    });
    if (reservation) void copied.finally(reservation);
  }

  /** Where the process goes after the turn: kept for the conversation if the turn was recorded. */
  keep(): ConversationBinding | undefined {
    return this.kept;
  }

  /** Lets the next turn of the conversation in. Idempotent. */
  async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    if (!this.handedOver) {
      this.parts.reservation?.();
      // A session nothing recorded (a failed or abandoned turn, a one-off) is never resumed: its
      // files go now, not after a day — or failed large requests would fill the disk uncounted.
      const { sessionId } = this;
      if (sessionId && sessionId !== this.parts.record?.sessionId) {
        this.dependencies.sessionFiles.discard(this.parts.owner, [sessionId]);
      }
    }
    const { lockHolder, conversationId } = this.parts;
    if (lockHolder === undefined) return;
    await this.dependencies.store.unlock(conversationId, lockHolder).catch((error: unknown) => {
      this.dependencies.logger.warn({ conversation: conversationId, error: String(error) }, "unlocking failed");
    });
  }
}
