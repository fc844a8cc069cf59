/** The SQLite store's rows as records, and its items with their share of the owner's quota. */
import type Database from "better-sqlite3";
import type { ConversationItem, ConversationRecord } from "./conversation-store.js";
import { bytesOf } from "./sqlite-schema.js";

export interface Row {
  id: string;
  owner: string;
  created_at: number;
  metadata: string;
  model: string | null;
  system_prompt: string | null;
  session_id: string | null;
  revision: number;
  history_digest: string;
  transcript_session_id: string | null;
  transcript_revision: number;
  transcript_length: number;
}

export const recordColumns = `id, owner, created_at, metadata, model, system_prompt, session_id, revision, history_digest,
  transcript_session_id, transcript_revision, ${bytesOf("transcript")} AS transcript_length`;

export function toRecord(row: Row): ConversationRecord {
  return {
    id: row.id,
    owner: row.owner,
    createdAt: row.created_at,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    model: row.model,
    systemPrompt: row.system_prompt,
    sessionId: row.session_id,
    revision: row.revision,
    historyDigest: row.history_digest,
    transcriptSessionId: row.transcript_session_id,
    transcriptRevision: row.transcript_revision,
    transcriptLength: row.transcript_length,
  };
}

/** Adds items and keeps the newest `maxItems`, the conversation's stored bytes in step. */
export function addItems(database: Database.Database, id: string, items: ConversationItem[], maxItems: number): void {
  const insert = database.prepare(
    "INSERT INTO items (conversation_id, id, role, text, created_at) VALUES (?, ?, ?, ?, ?)",
  );
  let added = 0;
  for (const item of items) {
    insert.run(id, item.id, item.role, item.text, item.createdAt);
    added += Buffer.byteLength(item.text);
  }
  // Keep the newest maxItems.
  const beyond = `conversation_id = @id AND seq <= (
    SELECT seq FROM items WHERE conversation_id = @id ORDER BY seq DESC LIMIT 1 OFFSET @keep)`;
  const position = { id, keep: maxItems };
  const dropped = database
    .prepare(`SELECT COALESCE(SUM(${bytesOf("text")}), 0) AS bytes FROM items WHERE ${beyond}`)
    .get(position) as { bytes: number };
  database.prepare(`DELETE FROM items WHERE ${beyond}`).run(position);
  database
    .prepare("UPDATE conversations SET stored_bytes = stored_bytes + ? WHERE id = ?")
    .run(added - dropped.bytes, id);
}
