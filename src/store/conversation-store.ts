/**
 * Where conversations live between turns: one interface, two implementations (SQLite embedded,
 * Redis shared by several gateway instances), one contract test suite run against both.
 *
 * A conversation advances one completed turn at a time. `recordTurn` writes everything a later
 * turn needs — the new history digest, the items, the CLI session id and its transcript — in one
 * atomic step, and only if nobody advanced the conversation meanwhile (`expectedRevision`).
 */

export interface ConversationRecord {
  id: string;
  /** Whose conversation it is ("" until API keys exist); lookups never cross owners. */
  owner: string;
  /** Unix seconds. */
  createdAt: number;
  metadata: Record<string, string>;
  /** The model of the last turn (or the one given at creation). */
  model: string | null;
  /** The system prompt the conversation's CLI session runs with (null: Claude Code's own). */
  systemPrompt: string | null;
  /** The CLI session holding the conversation; null until its first turn completed. */
  sessionId: string | null;
  /** Completed turns; every recorded turn adds one. */
  revision: number;
  /** Digest of the history as a client resends it (see conversations/history-digest.ts). */
  historyDigest: string;
  /** UTF-8 bytes of the CLI session transcript stored so far (the CLI only appends to it). */
  transcriptLength: number;
}

export interface ConversationItem {
  id: string;
  role: "user" | "assistant";
  text: string;
  /** Unix seconds. */
  createdAt: number;
}

export interface RecordedTurn {
  /** The revision the turn started from; a conversation that moved on meanwhile is not overwritten. */
  expectedRevision: number;
  model: string;
  systemPrompt: string | null;
  sessionId: string;
  historyDigest: string;
  items: ConversationItem[];
  /** What the transcript gained; `replace` when it must be rewritten whole. */
  transcript: { text: string; replace: boolean };
}

export interface Page<T> {
  data: T[];
  hasMore: boolean;
}

export interface PageRequest {
  limit: number;
  order: "asc" | "desc";
  /** Return what comes after this id in the given order. */
  after?: string;
}

export interface ConversationStore {
  /** Adds a new conversation (revision 0) with its initial items. */
  create(record: ConversationRecord, items: ConversationItem[]): Promise<void>;
  get(id: string): Promise<ConversationRecord | undefined>;
  updateMetadata(id: string, metadata: Record<string, string>): Promise<ConversationRecord | undefined>;
  /** false when there was no such conversation. */
  delete(id: string): Promise<boolean>;
  list(owner: string, page: PageRequest): Promise<Page<ConversationRecord>>;
  /** The newest `limit` items kept, oldest first. */
  items(id: string): Promise<ConversationItem[]>;
  /** Conversations of `owner` whose history currently has this digest, most recently advanced first. */
  findByDigest(owner: string, digest: string): Promise<string[]>;
  /** Creates the conversation if `expectedRevision` is 0 and it does not exist yet. */
  recordTurn(id: string, owner: string, turn: RecordedTurn): Promise<"recorded" | "conflict">;
  transcript(id: string): Promise<string | undefined>;
  /** A lease on the conversation for one turn, across instances; expires after `ttlMs`. */
  tryLock(id: string, holder: string, ttlMs: number): Promise<boolean>;
  unlock(id: string, holder: string): Promise<void>;
  close(): Promise<void>;
}

/** Stores keep at most this many items per conversation, dropping the oldest. */
export interface StoreLimits {
  maxItems: number;
}
