/**
 * The response cache at the edge of a chat completion. Only requests whose answer depends on
 * nothing but the request qualify: no conversation to continue (no conversation_id, and either no
 * earlier messages or `store: false`), no client tools (their turns wait for the client). The key
 * covers the caller's key and every field that can change the answer. `Cache-Control: no-cache`
 * skips the lookup (the fresh answer is still kept). A hit is a one-off answer: it carries no
 * conversation (the first caller's conversation is the first caller's).
 */
import { createHash } from "node:crypto";
import type { Context } from "hono";
import type { ResponseCache } from "../cache/response-cache.js";
import type { GatewayMetrics } from "../observability/gateway-metrics.js";
import type { Logger } from "../observability/logger.js";
import { newCompletionIdentity } from "../openai/chat-completion-builders.js";
import type { ChatCompletionRequest } from "../openai/chat-completion-request.js";
import { replayChunks } from "../openai/completion-replay.js";
import type { MappedMessages } from "../openai/map-chat-messages.js";
import { cutUnreadStream } from "./cut-unread-stream.js";
import type { GatewayEnv } from "./gateway-env.js";
import { createSseResponse } from "./sse.js";

/** Fields that do not change the answer, left out of the key. */
const irrelevant = new Set(["stream", "stream_options", "user", "metadata", "safety_identifier", "prompt_cache_key"]);

export function cacheKeyOf(
  context: Context<GatewayEnv>,
  request: ChatCompletionRequest,
  mapped: MappedMessages,
  conversationId: string | undefined,
): string | undefined {
  const continues = conversationId !== undefined || (mapped.earlier.length > 0 && request.store !== false);
  if (continues || (request.tools?.length ?? 0) > 0) return undefined;
  const fields = Object.entries(request).filter(([name]) => !irrelevant.has(name));
  return `${context.get("owner")}:${hash(fields)}`;
}

function hash(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

/** A kept answer for this request as a response (JSON or replayed SSE), or undefined on a miss. */
export async function cachedAnswer(
  context: Context<GatewayEnv>,
  cache: ResponseCache,
  key: string,
  request: ChatCompletionRequest,
  metrics: GatewayMetrics,
  stream: { keepAliveMs: number; bufferBytes: number; logger: Logger },
): Promise<Response | undefined> {
  const bypass = /no-cache|no-store/i.test(context.req.header("cache-control") ?? "");
  const kept = bypass ? undefined : await cache.lookup(key);
  metrics.cache(kept ? "hit" : "miss");
  context.header("x-cache", kept ? "hit" : "miss");
  if (!kept) return undefined;
  const { conversation_id: _, ...answer } = kept;
  const identity = { ...newCompletionIdentity(undefined), created: kept.created };
  if (!request.stream) return context.json({ ...answer, id: identity.id });
  const chunks = replayChunks(answer, identity, request.stream_options?.include_usage === true);
  const response = await createSseResponse(
    (async function* () {
      yield* chunks;
    })(),
    {
      keepAliveMs: stream.keepAliveMs,
      bufferBytes: stream.bufferBytes,
      onOverflow: () => cutUnreadStream(context, stream.logger, stream.bufferBytes),
    },
  );
  response.headers.set("x-cache", "hit");
  return response;
}
