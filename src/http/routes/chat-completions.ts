/**
 * POST /v1/chat/completions: JSON or SSE, one Claude turn of one conversation on a pooled CLI
 * process. The conversation (new, named, or recognised from the history) decides what reaches the
 * CLI; the turn is recorded before the client sees the end of the answer, so an immediate next
 * message finds it.
 */
import { Hono } from "hono";
import { beginConversationTurn } from "../../conversations/begin-conversation-turn.js";
import type { ConversationTurn } from "../../conversations/conversation-turn.js";
import { invalidRequest } from "../../errors.js";
import { newCompletionIdentity } from "../../openai/chat-completion-builders.js";
import { chatCompletionChunks } from "../../openai/chat-completion-chunks.js";
import { type ChatMessage, parseChatCompletionRequest } from "../../openai/chat-completion-request.js";
import { collectChatCompletion } from "../../openai/collect-chat-completion.js";
import { composeTurnContent, mapChatMessages } from "../../openai/map-chat-messages.js";
import { type AssistantOutputEvent, readAssistantOutput } from "../../openai/read-assistant-output.js";
import { rejectUnsupportedFields } from "../../openai/request-field-policy.js";
import { runPooledTurn } from "../../pool/run-pooled-turn.js";
import type { GatewayServices } from "../gateway-services.js";
import { readJsonBody } from "../read-json-body.js";
import { createRequestDeadline } from "../request-deadline.js";
import { createSseResponse } from "../sse.js";

export function chatCompletionRoutes(services: GatewayServices): Hono {
  const { configuration, pool, models, logger } = services;
  const routes = new Hono();

  routes.post("/v1/chat/completions", async (context) => {
    const request = parseChatCompletionRequest(await readJsonBody(context));
    rejectUnsupportedFields(request);
    const mapped = mapChatMessages(request.messages);
    const conversationId = request.conversation_id ?? context.req.header("x-conversation-id") ?? undefined;

    const deadline = createRequestDeadline(context.req.raw.signal, configuration.claude.timeout_seconds * 1000);
    let turn: ConversationTurn | undefined;
    let streaming = false;
    try {
      turn = await beginConversationTurn(
        {
          owner: "",
          conversationId,
          persist: request.store !== false,
          systemPrompt: mapped.systemPrompt,
          earlierEntries: mapped.earlierEntries,
          newEntries: mapped.newEntries,
          signal: deadline.signal,
        },
        services.conversationTurns,
      );
      const model = request.model ?? turn.model ?? configuration.claude.default_model;
      if (!model) throw invalidRequest("You must provide a model parameter.", "model", "missing_required_parameter");
      const lines = runPooledTurn(pool, {
        profile: turn.profile,
        model,
        content: composeTurnContent(
          replayedMessages(turn, mapped.earlier),
          mapped.newBlocks,
          configuration.conversation.max_history_messages,
        ),
        signal: deadline.signal,
        claim: turn.claim,
        keep: () => turn?.keep(),
      });
      const output = recordTurn(
        observeModel(readAssistantOutput(lines, model), (answered) => models.observe(answered)),
        turn,
      );
      const identity = newCompletionIdentity(turn.conversationId);
      if (turn.conversationId) context.header("x-conversation-id", turn.conversationId);

      if (!request.stream) {
        const completion = await collectChatCompletion(output, identity);
        return context.json(completion);
      }
      const chunks = chatCompletionChunks(output, {
        identity,
        model,
        includeUsage: request.stream_options?.include_usage === true,
      });
      const response = await createSseResponse(
        whenDone(chunks, () => {
          deadline.dispose();
          void turn?.finish();
        }),
        {
          keepAliveMs: configuration.server.sse_keepalive_seconds * 1000,
          onStreamError: (error) =>
            logger.warn({ status: error.status, code: error.code }, `stream ended: ${error.message}`),
        },
      );
      if (turn.conversationId) response.headers.set("x-conversation-id", turn.conversationId);
      streaming = true; // the stream ends the turn when it ends
      return response;
    } finally {
      if (!streaming) {
        deadline.dispose();
        await turn?.finish();
      }
    }
  });
  return routes;
}

/** The earlier messages the CLI must read as text: none when the conversation continues in its session. */
function replayedMessages(turn: ConversationTurn, earlier: ChatMessage[]): ChatMessage[] {
  const { replay } = turn;
  if (replay.kind === "session") return [];
  if (replay.kind === "request") return earlier;
  return replay.items.map((item) => ({ role: item.role, content: item.text }));
}

/**
 * Records the conversation's turn when the CLI's result arrives, before the client is given the
 * end of the answer. A refusal is not recorded (its process is cleared; the conversation stays
 * where it was).
 */
async function* recordTurn(
  events: AsyncIterable<AssistantOutputEvent>,
  turn: ConversationTurn,
): AsyncGenerator<AssistantOutputEvent> {
  let text = "";
  for await (const event of events) {
    if (event.type === "text") text += event.text;
    else if (event.type === "replace") text = text.slice(0, text.length - event.discarded.length) + event.text;
    else if (event.type === "finished" && event.finishReason !== "content_filter") {
      const { model, sessionId, lastMessageUuid } = event;
      await turn.complete({ text, model, sessionId, lastMessageUuid });
    }
    yield event;
  }
}

async function* observeModel<T extends { type: string; model?: string }>(
  events: AsyncIterable<T>,
  observe: (model: string) => void,
): AsyncGenerator<T> {
  for await (const event of events) {
    if (event.type === "finished" && event.model) observe(event.model);
    yield event;
  }
}

async function* whenDone<T>(items: AsyncIterable<T>, done: () => void): AsyncGenerator<T> {
  try {
    yield* items;
  } finally {
    done();
  }
}
