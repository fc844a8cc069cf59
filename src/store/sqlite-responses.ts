/**
 * Responses API responses in the SQLite store: the response row, its input items one row each (a
 * page is read without the rest), and `stored_bytes` — what the response counts toward its owner,
 * given back exactly when it goes.
 */
import type Database from "better-sqlite3";
import {
  type Page,
  type PageRequest,
  responseBytes,
  type StoredInputItem,
  type StoredResponse,
} from "./conversation-store.js";

export function putResponse(
  database: Database.Database,
  response: StoredResponse,
  inputItems: readonly StoredInputItem[],
): void {
  database.transaction(() => {
    database
      .prepare(
        `INSERT INTO responses (id, owner, conversation_id, revision, created_at, body, stored_bytes)
         VALUES (@id, @owner, @conversationId, @revision, @createdAt, @body, @bytes)`,
      )
      .run({ ...response, bytes: responseBytes(response, inputItems) });
    const insert = database.prepare("INSERT INTO response_items (response_id, id, json) VALUES (?, ?, ?)");
    for (const item of inputItems) insert.run(response.id, item.id, item.json);
  })();
}

export function getResponse(database: Database.Database, id: string): StoredResponse | undefined {
  return database
    .prepare(
      `SELECT id, owner, conversation_id AS conversationId, revision, created_at AS createdAt, body
       FROM responses WHERE id = ?`,
    )
    .get(id) as StoredResponse | undefined;
}

export function responseInputItems(database: Database.Database, id: string, page: PageRequest): Page<StoredInputItem> {
  const after =
    page.after === undefined
      ? undefined
      : (database.prepare("SELECT seq FROM response_items WHERE response_id = ? AND id = ?").get(id, page.after) as
          | { seq: number }
          | undefined);
  // An unknown cursor is past the end, as for conversation items.
  if (page.after !== undefined && !after) return { data: [], hasMore: false };
  const ascending = page.order === "asc";
  const rows = database
    .prepare(
      `SELECT id, json FROM response_items WHERE response_id = ? AND seq ${ascending ? ">" : "<"} ?
       ORDER BY seq ${ascending ? "ASC" : "DESC"} LIMIT ?`,
    )
    .all(id, after?.seq ?? (ascending ? 0 : Number.MAX_SAFE_INTEGER), page.limit + 1) as StoredInputItem[];
  return { data: rows.slice(0, page.limit), hasMore: rows.length > page.limit };
}

export function deleteResponse(database: Database.Database, id: string): boolean {
  return database.transaction(() => {
    database.prepare("DELETE FROM response_items WHERE response_id = ?").run(id);
    return database.prepare("DELETE FROM responses WHERE id = ?").run(id).changes > 0;
  })();
}

/** A conversation's responses go with it (inside the conversation's own delete transaction). */
export function deleteConversationResponses(database: Database.Database, conversationId: string): void {
  database
    .prepare("DELETE FROM response_items WHERE response_id IN (SELECT id FROM responses WHERE conversation_id = ?)")
    .run(conversationId);
  database.prepare("DELETE FROM responses WHERE conversation_id = ?").run(conversationId);
}

export function expireResponses(database: Database.Database, owner: string, before: number, limit: number): number {
  const ids = database
    .prepare("SELECT id FROM responses WHERE owner = ? AND created_at < ? ORDER BY created_at LIMIT ?")
    .all(owner, Math.floor(before / 1000), limit) as Array<{ id: string }>;
  for (const { id } of ids) deleteResponse(database, id);
  return ids.length;
}
