/** POST /v1/chat/completions: JSON or SSE, one Claude turn on a pooled CLI process. */
import { Hono } from "hono";
import { invalidRequest } from "../../errors.js";
import { newCompletionIdentity } from "../../openai/chat-completion-builders.js";
import { chatCompletionChunks } from "../../openai/chat-completion-chunks.js";
import { parseChatCompletionRequest } from "../../openai/chat-completion-request.js";
import { collectChatCompletion } from "../../openai/collect-chat-completion.js";
import { mapChatMessages } from "../../openai/map-chat-messages.js";
import { readAssistantOutput } from "../../openai/read-assistant-output.js";
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
    const model = request.model ?? configuration.claude.default_model;
    if (!model) throw invalidRequest("You must provide a model parameter.", "model", "missing_required_parameter");
    const { systemPrompt, content } = mapChatMessages(request.messages);

    const deadline = createRequestDeadline(context.req.raw.signal, configuration.claude.timeout_seconds * 1000);
    const lines = runPooledTurn(pool, {
      profile: services.launchProfile(systemPrompt),
      model,
      content,
      signal: deadline.signal,
    });
    const output = observeModel(readAssistantOutput(lines, model), (answered) => models.observe(answered));
    const identity = newCompletionIdentity();

    if (!request.stream) {
      try {
        return context.json(await collectChatCompletion(output, identity));
      } finally {
        deadline.dispose();
      }
    }
    const chunks = chatCompletionChunks(output, {
      identity,
      model,
      includeUsage: request.stream_options?.include_usage === true,
    });
    try {
      return await createSseResponse(disposeWhenDone(chunks, deadline.dispose), {
        keepAliveMs: configuration.server.sse_keepalive_seconds * 1000,
        onStreamError: (error) =>
          logger.warn({ status: error.status, code: error.code }, `stream ended: ${error.message}`),
      });
    } catch (error) {
      deadline.dispose();
      throw error;
    }
  });
  return routes;
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

async function* disposeWhenDone<T>(items: AsyncIterable<T>, dispose: () => void): AsyncGenerator<T> {
  try {
    yield* items;
  } finally {
    dispose();
  }
}
