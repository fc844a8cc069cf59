/**
 * POST /v1/messages: Anthropic's Messages API — the request parsed into a turn request, the turn
 * engine's share rendered as a message or its events — and POST /v1/messages/count_tokens. Every
 * message belongs to a conversation (Anthropic's clients resend their whole history; a known one
 * continues its CLI session). Errors here are in Anthropic's shape (middleware/handle-errors.ts).
 */
import { Hono } from "hono";
import { toAnthropicErrorBody } from "../../anthropic/anthropic-errors.js";
import { collectMessage } from "../../anthropic/collect-message.js";
import { estimateInputTokens } from "../../anthropic/count-tokens.js";
import { mapAnthropicMessages } from "../../anthropic/map-anthropic-messages.js";
import { type MessageRendering, newMessageId } from "../../anthropic/message-object.js";
import { messageStreamEvents } from "../../anthropic/message-stream-events.js";
import { messagesCacheKey } from "../../anthropic/messages-cache-key.js";
import { mapMessagesEffort } from "../../anthropic/messages-effort.js";
import { rejectUnsupportedMessagesFields } from "../../anthropic/messages-field-policy.js";
import { parseMessagesOutputFormat } from "../../anthropic/messages-output-format.js";
import { parseCountTokensRequest, parseMessagesRequest } from "../../anthropic/messages-request.js";
import { parseMessagesTools } from "../../anthropic/messages-tools.js";
import { thinkingDisplay } from "../../anthropic/thinking-display.js";
import { notFound } from "../../errors.js";
import type { GatewayEnv } from "../gateway-env.js";
import type { GatewayServices } from "../gateway-services.js";
import { readJsonBody } from "../read-json-body.js";
import { respondWithShare } from "../respond-with-share.js";
import { bypassesCache, namedConversation, streamSettings, turnDeadline } from "../turn-settings.js";

/** Named events, no [DONE]; a failure mid-stream is an `error` event in Anthropic's shape. */
const messagesFraming = {
  eventName: (item: unknown) => (item as { type?: string }).type,
  error: toAnthropicErrorBody,
};

export function messageRoutes(services: GatewayServices): Hono<GatewayEnv> {
  const routes = new Hono<GatewayEnv>();
  routes.post("/v1/messages", async (context) => {
    const request = parseMessagesRequest(await readJsonBody(context));
    rejectUnsupportedMessagesFields(request);
    const mapped = mapAnthropicMessages(request);
    const caller = context.get("caller");
    const conversationId = namedConversation(context, request.conversation_id);
    const toolResults = mapped.input.kind === "tool_results";
    const cacheKey = services.cache ? messagesCacheKey(caller.owner, request, mapped, conversationId) : undefined;
    const share = await services.engine.run(
      {
        caller,
        model: request.model,
        ...mapped,
        clientTools: parseMessagesTools(request),
        // Results go on with the turn that asked: its format stays.
        jsonSchema: toolResults ? undefined : parseMessagesOutputFormat(request),
        effort: mapMessagesEffort(request),
        conversationId,
        // Anthropic has no `store`: every message is kept with its conversation, so the history
        // its client resends next continues the same CLI session.
        persist: true,
        cache: cacheKey ? { key: cacheKey, lookup: !bypassesCache(context) } : undefined,
        messagesParam: "messages",
        // Anthropic's clients cannot drop a tool_use's result to send a new message instead.
        lateResults: "replay",
      },
      turnDeadline(context, services),
    );
    if (cacheKey) context.header("x-cache", share.cached ? "hit" : "miss");
    const rendering: MessageRendering = { id: newMessageId(), model: share.model, thinking: thinkingDisplay(request) };
    return respondWithShare(
      context,
      share,
      request.stream === true,
      {
        json: (events) => collectMessage(events, rendering),
        stream: (events) => messageStreamEvents(events, rendering),
        framing: messagesFraming,
      },
      streamSettings(services),
    );
  });

  routes.post("/v1/messages/count_tokens", async (context) => {
    const request = parseCountTokensRequest(await readJsonBody(context));
    // What a message would refuse is refused here too: a count is for a request that can run.
    rejectUnsupportedMessagesFields(request);
    parseMessagesTools(request);
    mapAnthropicMessages(request);
    // Labelled as what it is: Claude's tokenizer is not available here (see count-tokens.ts).
    context.header("x-token-count", "estimate");
    return context.json(estimateInputTokens(request));
  });
  // Said plainly rather than an unknown URL: Anthropic's clients have these, this gateway has not.
  const noBatches = () => {
    throw notFound("Message Batches are not available through this gateway: send each message on its own.");
  };
  routes.all("/v1/messages/batches", noBatches);
  routes.all("/v1/messages/batches/*", noBatches);
  return routes;
}
