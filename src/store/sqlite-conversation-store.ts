/**
 * The embedded store: one SQLite file (WAL), no server. Several gateway processes on one machine
 * may share the file; instances on other machines need Redis.
 */
import { chmodSync, closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { ConfigurationError } from "../config/configuration-error.js";
import type {
  ConversationItem,
  ConversationRecord,
  ConversationStore,
  Page,
  PageRequest,
  RecordedTurn,
  StaleConversation,
  StoredInputItem,
  StoredResponse,
  StoredUsage,
  StoreLimits,
  TranscriptUpdate,
} from "./conversation-store.js";
import { sessionIdsOf } from "./conversation-store.js";
import {
  deleteConversationResponses,
  deleteResponse,
  expireResponses,
  getResponse,
  putResponse,
  responseInputItems,
} from "./sqlite-responses.js";
import { addItems, type Row, recordColumns, toRecord } from "./sqlite-rows.js";
import { applySchema, bytesOf } from "./sqlite-schema.js";

export class SqliteConversationStore implements ConversationStore {
  private readonly database: Database.Database;

  constructor(
    path: string,
    private readonly limits: StoreLimits,
  ) {
    if (path !== ":memory:") {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      // Conversations are private: the file (and its WAL and shm, which SQLite creates with the
      // file's mode) is the gateway user's alone, whatever the umask.
      closeSync(openSync(path, "a", 0o600));
      chmodSync(path, 0o600); // also a store made before this rule, or under another umask
    }
    this.database = openDatabase(path);
    this.database.pragma("journal_mode = WAL");
    // With WAL, NORMAL survives a crash of the gateway (not of the machine) without an fsync per
    // turn on the request path.
    this.database.pragma("synchronous = NORMAL");
    this.database.pragma("busy_timeout = 5000");
    applySchema(this.database);
  }

  async create(record: ConversationRecord, items: ConversationItem[]): Promise<void> {
    this.database.transaction(() => {
      this.insert(record);
      addItems(this.database, record.id, items, this.limits.maxItems);
    })();
  }

  async usage(owner: string): Promise<StoredUsage> {
    return this.database
      .prepare(
        `SELECT COUNT(*) AS conversations, COALESCE(SUM(stored_bytes), 0)
           + (SELECT COALESCE(SUM(stored_bytes), 0) FROM responses WHERE owner = @owner) AS bytes
         FROM conversations WHERE owner = @owner`,
      )
      .get({ owner }) as StoredUsage;
  }

  async owners(): Promise<string[]> {
    const rows = this.database
      .prepare("SELECT owner FROM conversations UNION SELECT owner FROM responses")
      .all() as Array<{ owner: string }>;
    return rows.map((row) => row.owner);
  }

  async stale(owner: string, before: number, limit: number): Promise<StaleConversation[]> {
    const rows = this.database
      .prepare(
        `SELECT id, revision, session_id AS sessionId, transcript_session_id AS transcriptSessionId FROM conversations
         WHERE owner = ? AND advanced_at < ? ORDER BY advanced_at LIMIT ?`,
      )
      .all(owner, before, limit) as Array<{
      id: string;
      revision: number;
      sessionId: string | null;
      transcriptSessionId: string | null;
    }>;
    return rows.map((row) => ({ id: row.id, revision: row.revision, sessionIds: sessionIdsOf(row) }));
  }

  async get(id: string): Promise<ConversationRecord | undefined> {
    const row = this.database.prepare(`SELECT ${recordColumns} FROM conversations WHERE id = ?`).get(id) as
      | Row
      | undefined;
    return row && toRecord(row);
  }

  async updateMetadata(id: string, metadata: Record<string, string>): Promise<ConversationRecord | undefined> {
    this.database.prepare("UPDATE conversations SET metadata = ? WHERE id = ?").run(JSON.stringify(metadata), id);
    return this.get(id);
  }

  async delete(id: string): Promise<boolean> {
    return this.database.transaction(() => {
      this.database.prepare("DELETE FROM items WHERE conversation_id = ?").run(id);
      deleteConversationResponses(this.database, id);
      this.database.prepare("DELETE FROM locks WHERE id = ?").run(id);
      return this.database.prepare("DELETE FROM conversations WHERE id = ?").run(id).changes > 0;
    })();
  }

  async list(owner: string, page: PageRequest): Promise<Page<ConversationRecord>> {
    const ascending = page.order === "asc";
    let afterSeq: number | undefined;
    if (page.after !== undefined) {
      const cursor = this.database
        .prepare("SELECT seq FROM conversations WHERE id = ? AND owner = ?")
        .get(page.after, owner) as { seq: number } | undefined;
      if (!cursor) return { data: [], hasMore: false };
      afterSeq = cursor.seq;
    }
    const rows = this.database
      .prepare(
        `SELECT ${recordColumns} FROM conversations WHERE owner = ?
         ${afterSeq === undefined ? "" : ascending ? "AND seq > @after" : "AND seq < @after"}
         ORDER BY seq ${ascending ? "ASC" : "DESC"} LIMIT @limit`,
      )
      .all(owner, { after: afterSeq, limit: page.limit + 1 }) as Row[];
    return { data: rows.slice(0, page.limit).map(toRecord), hasMore: rows.length > page.limit };
  }

  async items(id: string): Promise<ConversationItem[]> {
    return this.database
      .prepare("SELECT id, role, text, created_at AS createdAt FROM items WHERE conversation_id = ? ORDER BY seq")
      .all(id) as ConversationItem[];
  }

  async findByDigest(owner: string, digest: string): Promise<string[]> {
    const rows = this.database
      .prepare(
        "SELECT id FROM conversations WHERE owner = ? AND history_digest = ? ORDER BY advanced_at DESC, seq DESC LIMIT 10",
      )
      .all(owner, digest) as Array<{ id: string }>;
    return rows.map((row) => row.id);
  }

  async recordTurn(id: string, owner: string, turn: RecordedTurn): Promise<"recorded" | "conflict"> {
    return this.database.transaction(() => {
      const current = this.database.prepare("SELECT revision FROM conversations WHERE id = ?").get(id) as
        | { revision: number }
        | undefined;
      if (!current) {
        if (turn.expectedRevision !== 0) return "conflict";
        this.insert({
          id,
          owner,
          createdAt: Math.floor(Date.now() / 1000),
          metadata: {},
          model: null,
          systemPrompt: null,
          sessionId: null,
          revision: 0,
          historyDigest: "",
          transcriptSessionId: null,
          transcriptRevision: 0,
          transcriptLength: 0,
        });
      } else if (current.revision !== turn.expectedRevision) {
        return "conflict";
      }
      this.database
        .prepare(
          `UPDATE conversations SET model = @model, system_prompt = @systemPrompt, session_id = @sessionId,
             stored_bytes = stored_bytes + COALESCE(${bytesOf("@systemPrompt")}, 0) - COALESCE(${bytesOf("system_prompt")}, 0),
             revision = revision + 1, history_digest = @historyDigest, advanced_at = @now
           WHERE id = @id`,
        )
        .run({
          id,
          model: turn.model,
          systemPrompt: turn.systemPrompt,
          sessionId: turn.sessionId,
          historyDigest: turn.historyDigest,
          now: Date.now(),
        });
      addItems(this.database, id, turn.items, this.limits.maxItems);
      return "recorded" as const;
    })();
  }

  async saveTranscript(id: string, update: TranscriptUpdate): Promise<boolean> {
    // Lengths and offsets are UTF-8 bytes, as in the file.
    const changes = this.database
      .prepare(
        `UPDATE conversations SET transcript_session_id = @sessionId, transcript_revision = @revision,
           transcript = CASE WHEN @offset = 0 THEN @text ELSE transcript || @text END,
           stored_bytes = stored_bytes + ${bytesOf("@text")} - CASE WHEN @offset = 0 THEN ${bytesOf("transcript")} ELSE 0 END
         WHERE id = @id AND transcript_revision < @revision AND revision >= @revision
           AND (@offset = 0 OR (transcript_session_id = @sessionId AND ${bytesOf("transcript")} = @offset))`,
      )
      .run({ id, ...update }).changes;
    return changes > 0;
  }

  async transcript(id: string): Promise<string | undefined> {
    const row = this.database.prepare("SELECT transcript FROM conversations WHERE id = ?").get(id) as
      | { transcript: string }
      | undefined;
    return row?.transcript;
  }

  async putResponse(response: StoredResponse, inputItems: readonly StoredInputItem[]): Promise<void> {
    putResponse(this.database, response, inputItems);
  }

  async getResponse(id: string): Promise<StoredResponse | undefined> {
    return getResponse(this.database, id);
  }

  async responseInputItems(id: string, page: PageRequest): Promise<Page<StoredInputItem>> {
    return responseInputItems(this.database, id, page);
  }

  async deleteResponse(id: string): Promise<boolean> {
    return deleteResponse(this.database, id);
  }

  async expireResponses(owner: string, before: number, limit: number): Promise<number> {
    return expireResponses(this.database, owner, before, limit);
  }

  async tryLock(id: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    return this.database.transaction(() => {
      this.database.prepare("DELETE FROM locks WHERE id = ? AND expires_at <= ?").run(id, now);
      return (
        this.database
          .prepare("INSERT OR IGNORE INTO locks (id, holder, expires_at) VALUES (?, ?, ?)")
          .run(id, holder, now + ttlMs).changes > 0
      );
    })();
  }

  async unlock(id: string, holder: string): Promise<void> {
    this.database.prepare("DELETE FROM locks WHERE id = ? AND holder = ?").run(id, holder);
  }

  async close(): Promise<void> {
    if (this.database.open) this.database.close();
  }

  private insert(record: ConversationRecord): void {
    this.database
      .prepare(
        `INSERT INTO conversations (id, owner, created_at, metadata, model, system_prompt, session_id, revision,
           history_digest, advanced_at, stored_bytes)
         VALUES (@id, @owner, @createdAt, @metadata, @model, @systemPrompt, @sessionId, @revision, @historyDigest, @now,
           COALESCE(${bytesOf("@systemPrompt")}, 0))`,
      )
      .run({ ...record, metadata: JSON.stringify(record.metadata), now: Date.now() });
  }
}

/**
 * better-sqlite3 loads its native module when the first database opens. Its install script builds
 * it; an install that skipped scripts (`--ignore-scripts`) or a module built for another Node
 * leaves none, and start-up says how to build it instead of the loader's stack trace.
 */
function openDatabase(path: string): Database.Database {
  try {
    return new Database(path);
  } catch (error) {
    if (error instanceof Error && /bindings file|NODE_MODULE_VERSION/.test(error.message)) {
      throw new ConfigurationError(
        "store.url: the SQLite store needs better-sqlite3's native module, which its install script builds, " +
          "and none loads for this Node; run `npm rebuild better-sqlite3` where the gateway is installed, " +
          "or use a redis:// store",
      );
    }
    throw error;
  }
}
