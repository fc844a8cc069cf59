/**
 * The SQLite store's tables, and the one step that brings a store made by an earlier version up to
 * them: `stored_bytes` (each conversation's items, transcript and system prompt: its share of its owner's quota) is added and filled in.
 */
import type Database from "better-sqlite3";

const schema = `
CREATE TABLE IF NOT EXISTS conversations (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  owner TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  metadata TEXT NOT NULL,
  model TEXT,
  system_prompt TEXT,
  session_id TEXT,
  revision INTEGER NOT NULL,
  history_digest TEXT NOT NULL,
  advanced_at INTEGER NOT NULL,
  transcript_session_id TEXT,
  transcript_revision INTEGER NOT NULL DEFAULT 0,
  transcript TEXT NOT NULL DEFAULT '',
  stored_bytes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS conversations_by_digest ON conversations (owner, history_digest);
CREATE INDEX IF NOT EXISTS conversations_by_owner ON conversations (owner, seq);
CREATE TABLE IF NOT EXISTS items (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id TEXT NOT NULL,
  id TEXT NOT NULL,
  role TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS items_by_conversation ON items (conversation_id, seq);
CREATE TABLE IF NOT EXISTS responses (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  conversation_id TEXT NOT NULL,
  revision INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  body TEXT NOT NULL,
  stored_bytes INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS responses_by_conversation ON responses (conversation_id);
CREATE INDEX IF NOT EXISTS responses_by_owner ON responses (owner, created_at);
CREATE TABLE IF NOT EXISTS response_items (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  response_id TEXT NOT NULL,
  id TEXT NOT NULL,
  json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS response_items_by_response ON response_items (response_id, seq);
CREATE TABLE IF NOT EXISTS locks (
  id TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
`;

/** UTF-8 bytes of a text column or parameter, as quotas count them. */
export const bytesOf = (expression: string) => `length(CAST(${expression} AS BLOB))`;

export function applySchema(database: Database.Database): void {
  // IMMEDIATE: two gateways opening an older file at once wait for each other (busy_timeout)
  // instead of one failing when both try to upgrade a read lock.
  database
    .transaction(() => {
      const columns = database.prepare("SELECT name FROM pragma_table_info('conversations')").all() as Array<{
        name: string;
      }>;
      const before = columns.length > 0 && !columns.some((column) => column.name === "stored_bytes");
      if (before) {
        database.exec("ALTER TABLE conversations ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0");
        database.exec(
          `UPDATE conversations SET stored_bytes = ${bytesOf("transcript")} + COALESCE(${bytesOf("system_prompt")}, 0) +
           COALESCE((SELECT SUM(${bytesOf("text")}) FROM items WHERE conversation_id = conversations.id), 0)`,
        );
      }
      database.exec(schema);
      database.exec("CREATE INDEX IF NOT EXISTS conversations_by_advance ON conversations (owner, advanced_at)");
    })
    .immediate();
}
