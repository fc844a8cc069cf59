/**
 * Where conversations live between turns: one interface, two implementations (SQLite embedded,
 * Redis shared by several gateway instances), one contract test suite run against both.
 *
 * A conversation advances one completed turn at a time. `recordTurn` writes what the next turn
 * needs — the new history digest, the items, the CLI session id — in one atomic step, and only if
 * nobody advanced the conversation meanwhile (`expectedRevision`). The CLI session's transcript
 * follows with `saveTranscript` once the CLI has flushed it.
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
  /**
   * The stored copy of the CLI session transcript: whose session, up to which turn, how many
   * UTF-8 bytes. The CLI flushes its transcript ~50–100 ms after a turn's result (measured), so it
   * is saved just after the turn is recorded and can lag one turn behind `revision`.
   */
  transcriptSessionId: string | null;
  transcriptRevision: number;
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
}

/** The transcript as of a turn: `text` starts at byte `offset` of the session's transcript file. */
export interface TranscriptUpdate {
  revision: number;
  sessionId: string;
  offset: number;
  text: string;
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

/**
 * A Responses API response kept for GET /v1/responses/{id}, its input items and
 * `previous_response_id`. It belongs to the conversation its turn ran in and goes with it, and its
 * bytes (body and input items) count toward its owner's usage from the moment it is kept — also
 * when that conversation never got recorded (a first turn abandoned while it waited for tool
 * results): retention expires such a response like any other.
 */
export interface StoredResponse {
  id: string;
  owner: string;
  conversationId: string;
  /** The conversation's revision once this response's turn was recorded. */
  revision: number;
  /** Unix seconds. */
  createdAt: number;
  /** The Response object, as JSON. */
  body: string;
}

/** One input item of a stored response: its id and its JSON, kept and listed as sent. */
export interface StoredInputItem {
  id: string;
  json: string;
}

/** What a response counts toward its owner's usage: its body and its input items, in UTF-8 bytes. */
export function responseBytes(response: StoredResponse, inputItems: readonly StoredInputItem[]): number {
  let bytes = Buffer.byteLength(response.body);
  for (const item of inputItems) bytes += Buffer.byteLength(item.json);
  return bytes;
}

/** One page of a list held whole (oldest first), by the request's order and cursor. */
export function pageOf<T>(items: readonly T[], page: PageRequest, idOf: (item: T) => unknown): Page<T> {
  const ordered = page.order === "asc" ? [...items] : [...items].reverse();
  let start = 0;
  if (page.after !== undefined) {
    const index = ordered.findIndex((item) => idOf(item) === page.after);
    start = index < 0 ? ordered.length : index + 1;
  }
  return { data: ordered.slice(start, start + page.limit), hasMore: ordered.length > start + page.limit };
}

export interface ConversationStore {
  /** Adds a new conversation (revision 0) with its initial items. */
  create(record: ConversationRecord, items: ConversationItem[]): Promise<void>;
  get(id: string): Promise<ConversationRecord | undefined>;
  updateMetadata(id: string, metadata: Record<string, string>): Promise<ConversationRecord | undefined>;
  /** Deletes it with its items, transcript and responses; false when there was no such conversation. */
  delete(id: string): Promise<boolean>;
  list(owner: string, page: PageRequest): Promise<Page<ConversationRecord>>;
  /** The newest `limit` items kept, oldest first. */
  items(id: string): Promise<ConversationItem[]>;
  /** Conversations of `owner` whose history currently has this digest, most recently advanced first. */
  findByDigest(owner: string, digest: string): Promise<string[]>;
  /** Creates the conversation if `expectedRevision` is 0 and it does not exist yet. */
  recordTurn(id: string, owner: string, turn: RecordedTurn): Promise<"recorded" | "conflict">;
  /**
   * Stores the transcript as of `update.revision`: replaces it (offset 0) or appends to the stored
   * copy of the same session when `offset` is its length. false (nothing changed) when the
   * conversation is gone, already has a newer transcript, or the offset does not fit.
   */
  saveTranscript(id: string, update: TranscriptUpdate): Promise<boolean>;
  transcript(id: string): Promise<string | undefined>;
  /**
   * What `owner` keeps stored: conversations, and bytes (items, transcripts and responses as the
   * store holds them; metadata is small and bounded). Kept up to date by every write, so a quota check costs one lookup.
   */
  usage(owner: string): Promise<StoredUsage>;
  /** Everyone who has a conversation or a response stored. */
  owners(): Promise<string[]>;
  /**
   * `owner`'s conversations last advanced (created, or a turn recorded) before `before` (Unix
   * milliseconds), oldest first, at most `limit`: what retention deletes.
   */
  stale(owner: string, before: number, limit: number): Promise<StaleConversation[]>;
  /** Keeps a response and its input items, counted toward its owner's usage. */
  putResponse(response: StoredResponse, inputItems: readonly StoredInputItem[]): Promise<void>;
  getResponse(id: string): Promise<StoredResponse | undefined>;
  /** One page of a stored response's input items (oldest first in `asc`). */
  responseInputItems(id: string, page: PageRequest): Promise<Page<StoredInputItem>>;
  /** false when there was no such response. */
  deleteResponse(id: string): Promise<boolean>;
  /** Deletes `owner`'s responses kept before `before` (Unix ms), at most `limit`: how many went. */
  expireResponses(owner: string, before: number, limit: number): Promise<number>;
  /** A lease on the conversation for one turn, across instances; expires after `ttlMs`. */
  tryLock(id: string, holder: string, ttlMs: number): Promise<boolean>;
  unlock(id: string, holder: string): Promise<void>;
  close(): Promise<void>;
}

export interface StoredUsage {
  conversations: number;
  bytes: number;
}

/** A conversation retention deletes, with the CLI sessions whose transcript files go with it. */
export interface StaleConversation {
  id: string;
  /** As it was found stale: a turn recorded since makes it another revision. */
  revision: number;
  sessionIds: string[];
}

/** The CLI sessions a record names (the current one, and the one its stored transcript is of). */
export function sessionIdsOf(record: Pick<ConversationRecord, "sessionId" | "transcriptSessionId">): string[] {
  return [...new Set([record.sessionId, record.transcriptSessionId].filter((id): id is string => id !== null))];
}

/** Stores keep at most this many items per conversation, dropping the oldest. */
export interface StoreLimits {
  maxItems: number;
}
