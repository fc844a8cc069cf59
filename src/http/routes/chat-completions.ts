/**
 * POST /v1/chat/completions: the Chat Completions dialect — the request parsed into a turn
 * request, the turn engine's share of the turn rendered as a chat.completion or its chunks.
 */
import { Hono } from "hono";
import { chatCacheKey } from "../../openai/chat-cache-key.js";
import { newCompletionIdentity } from "../../openai/chat-completion-builders.js";
import { chatCompletionChunks } from "../../openai/chat-completion-chunks.js";
import { parseChatCompletionRequest } from "../../openai/chat-completion-request.js";
import { parseClientTools } from "../../openai/client-tools.js";
import { collectChatCompletion } from "../../openai/collect-chat-completion.js";
import { mapChatMessages } from "../../openai/map-chat-messages.js";
import { mapReasoningEffort } from "../../openai/reasoning-effort.js";
import { rejectUnsupportedFields } from "../../openai/request-field-policy.js";
import { parseResponseFormat } from "../../openai/response-format.js";
import type { GatewayEnv } from "../gateway-env.js";
import type { GatewayServices } from "../gateway-services.js";
import { readJsonBody } from "../read-json-body.js";
import { respondWithShare } from "../respond-with-share.js";
import { bypassesCache, namedConversation, streamSettings, turnDeadline } from "../turn-settings.js";

export function chatCompletionRoutes(services: GatewayServices): Hono<GatewayEnv> {
  const routes = new Hono<GatewayEnv>();
  routes.post("/v1/chat/completions", async (context) => {
    const request = parseChatCompletionRequest(await readJsonBody(context));
    rejectUnsupportedFields(request);
    const mapped = mapChatMessages(request.messages);
    const caller = context.get("caller");
    const conversationId = namedConversation(context, request.conversation_id);
    const toolResults = mapped.input.kind === "tool_results";
    const cacheKey = services.cache ? chatCacheKey(caller.owner, request, mapped, conversationId) : undefined;
    const share = await services.engine.run(
      {
        caller,
        model: request.model,
        ...mapped,
        // Results go on with the turn that asked: its tools, format and effort stay.
        clientTools: parseClientTools(request),
        jsonSchema: toolResults ? undefined : parseResponseFormat(request),
        effort: mapReasoningEffort(request),
        conversationId,
        persist: request.store !== false,
        cache: cacheKey ? { key: cacheKey, lookup: !bypassesCache(context) } : undefined,
        messagesParam: "messages",
        lateResults: "refuse",
      },
      turnDeadline(context, services),
    );
    if (cacheKey) context.header("x-cache", share.cached ? "hit" : "miss");
    // A kept answer belongs to the request that first got it: its copy carries no conversation.
    const identity = newCompletionIdentity(share.conversationId);
    const stream = request.stream === true;
    const includeUsage = request.stream_options?.include_usage === true;
    return respondWithShare(
      context,
      share,
      stream,
      {
        json: (events) => collectChatCompletion(events, identity),
        stream: (events) => chatCompletionChunks(events, { identity, model: share.model, includeUsage }),
      },
      streamSettings(services),
    );
  });
  return routes;
}
