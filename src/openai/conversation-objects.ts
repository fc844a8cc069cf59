/**
 * The Conversations API in OpenAI's shapes: request bodies and queries in, conversation, item and
 * list objects out — so the `openai` client's `conversations.*` methods work against the gateway.
 */
import { z } from "zod";
import type { NewConversation } from "../conversations/conversation-directory.js";
import { invalidRequest } from "../errors.js";
import type { ConversationItem, ConversationRecord, Page, PageRequest } from "../store/conversation-store.js";
import { parseWithParams } from "./parse-with-params.js";

const metadataSchema = z
  .record(z.string().max(64), z.string().max(512))
  .refine((metadata) => Object.keys(metadata).length <= 16, "at most 16 key-value pairs");

const textPart = z.looseObject({ type: z.enum(["input_text", "output_text", "text"]), text: z.string() });

const inputItemSchema = z.looseObject({
  type: z.literal("message").optional(),
  role: z.enum(["user", "assistant", "system", "developer"]),
  content: z.union([z.string(), z.array(textPart)]),
});

const createSchema = z.looseObject({
  metadata: metadataSchema.nullable().optional(),
  items: z.array(inputItemSchema).max(20).nullable().optional(),
  /** The gateway's extension: the model of turns that name none. */
  model: z.string().min(1).max(256).nullable().optional(),
});

const updateSchema = z.looseObject({ metadata: metadataSchema });

const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  order: z.enum(["asc", "desc"]).default("desc"),
  after: z.string().min(1).optional(),
});

export function parseNewConversation(body: unknown): NewConversation {
  const parsed = parseWithParams(createSchema, body ?? {});
  const items = (parsed.items ?? []).map((item, index) => {
    if (item.role === "system" || item.role === "developer") {
      throw invalidRequest(
        "System and developer items are not supported here: send the system message with the conversation's first chat completion.",
        `items[${index}].role`,
        "unsupported_value",
      );
    }
    const text = typeof item.content === "string" ? item.content : item.content.map((part) => part.text).join("\n");
    return { role: item.role, text: text.trim() };
  });
  return { metadata: parsed.metadata ?? {}, model: parsed.model ?? null, items };
}

export function parseMetadataUpdate(body: unknown): Record<string, string> {
  return parseWithParams(updateSchema, body).metadata;
}

export function parsePageQuery(query: Record<string, string>): PageRequest {
  return parseWithParams(pageQuerySchema, query);
}

export function toConversationObject(record: ConversationRecord) {
  return { id: record.id, object: "conversation" as const, created_at: record.createdAt, metadata: record.metadata };
}

export function toDeletedConversation(id: string) {
  return { id, object: "conversation.deleted" as const, deleted: true };
}

export function toConversationItem(item: ConversationItem) {
  const content =
    item.role === "user"
      ? [{ type: "input_text" as const, text: item.text }]
      : [{ type: "output_text" as const, text: item.text, annotations: [], logprobs: [] }];
  return { type: "message" as const, id: item.id, status: "completed" as const, role: item.role, content };
}

/** OpenAI's cursor list; the `openai` client pages on `last_id` while `has_more`. */
export function toList<T extends { id: string }, O>(page: Page<T>, map: (entry: T) => O) {
  return {
    object: "list" as const,
    data: page.data.map(map),
    first_id: page.data[0]?.id ?? null,
    last_id: page.data.at(-1)?.id ?? null,
    has_more: page.hasMore,
  };
}
