/**
 * Which Messages requests may be answered from the response cache, and under what key — the rule
 * of chat completions (openai/chat-cache-key.ts): only a first message with no tools and no
 * conversation to continue; the key covers the caller's key and every field that can change the
 * answer.
 */
import { createHash } from "node:crypto";
import type { MappedMessages } from "./map-anthropic-messages.js";
import { messagesFieldPolicy } from "./messages-field-policy.js";
import type { MessagesRequest } from "./messages-request.js";

/** Fields that do not change the answer — how it is sent, and what the field policy ignores. */
const irrelevant = new Set([
  "stream",
  ...Object.entries(messagesFieldPolicy)
    .filter(([, policy]) => policy.handling === "ignored")
    .map(([field]) => field),
]);

export function messagesCacheKey(
  owner: string,
  request: MessagesRequest,
  mapped: MappedMessages,
  conversationId: string | undefined,
): string | undefined {
  const continues = conversationId !== undefined || mapped.history.length > 0;
  if (continues || (request.tools?.length ?? 0) > 0 || mapped.input.kind !== "messages") return undefined;
  const fields = Object.entries(request).filter(([name]) => !irrelevant.has(name));
  return `${owner}:messages:${createHash("sha256").update(JSON.stringify(fields)).digest("hex")}`;
}
