/**
 * Responses API responses in the SQLite store. Their bytes join their conversation's
 * `stored_bytes`, so the owner's quota counts them and deleting the conversation gives them back.
 */
import type Database from "better-sqlite3";
import type { StoredResponse } from "./conversation-store.js";
import { bytesOf } from "./sqlite-schema.js";

const size = `${bytesOf("body")} + ${bytesOf("input_items")}`;

export function putResponse(database: Database.Database, response: StoredResponse): boolean {
  return database.transaction(() => {
    // A response of a conversation whose first turn still waits for tool results is kept before
    // its conversation exists: it goes with it once recorded (same id), uncounted until then.
    database
      .prepare(`UPDATE conversations SET stored_bytes = stored_bytes + ${bytesOf("@body")} + ${bytesOf("@inputItems")}
                WHERE id = @conversationId AND owner = @owner`)
      .run(response);
    database
      .prepare(
        `INSERT INTO responses (id, owner, conversation_id, revision, created_at, body, input_items)
         VALUES (@id, @owner, @conversationId, @revision, @createdAt, @body, @inputItems)`,
      )
      .run(response);
    return true;
  })();
}

export function getResponse(database: Database.Database, id: string): StoredResponse | undefined {
  return database
    .prepare(
      `SELECT id, owner, conversation_id AS conversationId, revision, created_at AS createdAt, body,
              input_items AS inputItems FROM responses WHERE id = ?`,
    )
    .get(id) as StoredResponse | undefined;
}

export function deleteResponse(database: Database.Database, id: string): boolean {
  return database.transaction(() => {
    const row = database
      .prepare(`SELECT conversation_id AS conversationId, ${size} AS bytes FROM responses WHERE id = ?`)
      .get(id) as { conversationId: string; bytes: number } | undefined;
    if (!row) return false;
    database
      .prepare("UPDATE conversations SET stored_bytes = MAX(0, stored_bytes - ?) WHERE id = ?")
      .run(row.bytes, row.conversationId);
    database.prepare("DELETE FROM responses WHERE id = ?").run(id);
    return true;
  })();
}
