/**
 * Which chat completions may be answered from the cache, and under what key. Only requests whose
 * answer depends on nothing but the request qualify: no conversation to continue (no
 * conversation_id, and either no earlier messages or `store: false`), no client tools (their turns
 * wait for the client). The key covers the caller's key and every field that can change the answer.
 */
import { createHash } from "node:crypto";
import type { ChatCompletionRequest } from "./chat-completion-request.js";
import type { MappedMessages } from "./map-chat-messages.js";

/** Fields that do not change the answer, left out of the key. */
const irrelevant = new Set(["stream", "stream_options", "user", "metadata", "safety_identifier", "prompt_cache_key"]);

export function chatCacheKey(
  owner: string,
  request: ChatCompletionRequest,
  mapped: MappedMessages,
  conversationId: string | undefined,
): string | undefined {
  const continues = conversationId !== undefined || (mapped.history.length > 0 && request.store !== false);
  if (continues || (request.tools?.length ?? 0) > 0 || mapped.input.kind !== "messages") return undefined;
  const fields = Object.entries(request).filter(([name]) => !irrelevant.has(name));
  return `${owner}:${createHash("sha256").update(JSON.stringify(fields)).digest("hex")}`;
}
