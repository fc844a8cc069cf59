/**
 * The Responses API: POST /v1/responses runs a turn (the request parsed into a turn request, the
 * engine's share rendered as a response or its events); a stored response can be retrieved,
 * listed for its input items and deleted. Every response belongs to a conversation: continued by
 * `previous_response_id`, by `conversation`, or recognised from a resent history — so stateless
 * clients (Codex sends `store: false` and its whole history) continue real CLI sessions too.
 */
import { Hono } from "hono";
import { normalizeJsonSchemaAt } from "../../claude/normalize-json-schema.js";
import { invalidRequest } from "../../errors.js";
import { parsePageQuery, toList } from "../../openai/conversation-objects.js";
import { collectResponse } from "../../responses/collect-response.js";
import { mapResponseInput } from "../../responses/map-response-input.js";
import { rejectUnsupportedResponseFields } from "../../responses/response-field-policy.js";
import { parseTextFormat } from "../../responses/response-format.js";
import { type GatewayResponse, newResponseIdentity } from "../../responses/response-object.js";
import { mapResponseReasoningEffort } from "../../responses/response-reasoning.js";
import { responseErrorEvent } from "../../responses/response-stream-event.js";
import { responseStreamEvents } from "../../responses/response-stream-events.js";
import { parseResponseTools } from "../../responses/response-tools.js";
import { parseResponsesRequest, type ResponsesRequest } from "../../responses/responses-request.js";
import { storedInputItems } from "../../responses/stored-input-items.js";
import type { TurnShare } from "../../turns/engine-turn.js";
import type { GatewayEnv } from "../gateway-env.js";
import type { GatewayServices } from "../gateway-services.js";
import { readJsonBody } from "../read-json-body.js";
import { respondWithShare } from "../respond-with-share.js";
import { streamSettings, turnDeadline } from "../turn-settings.js";

/** Named events, no [DONE]; a failure before the response began is an `error` event. */
const responsesFraming = {
  eventName: (item: unknown) => (item as { type?: string }).type,
  error: responseErrorEvent,
};

export function responseRoutes(services: GatewayServices): Hono<GatewayEnv> {
  const { responses } = services;
  const routes = new Hono<GatewayEnv>();

  routes.post("/v1/responses", async (context) => {
    const request = parseResponsesRequest(await readJsonBody(context));
    rejectUnsupportedResponseFields(request);
    const mapped = mapResponseInput(request);
    const caller = context.get("caller");
    const conversationId = await continuedConversation(services, caller.owner, request);
    const toolResults = mapped.input.kind === "tool_results";
    const share = await services.engine.run(
      {
        caller,
        model: request.model,
        systemPrompt: mapped.systemPrompt,
        history: mapped.history,
        input: mapped.input,
        clientTools: parseResponseTools(request),
        jsonSchema: toolResults
          ? undefined
          : parseTextFormat(request, (schema) => normalizeJsonSchemaAt(schema, "text.format.schema")),
        effort: mapResponseReasoningEffort(request),
        conversationId,
        // Always kept, whatever `store` says: it is how a stateless client's next request, which
        // resends this history, continues the same CLI session (store: false only keeps no response).
        persist: true,
        cache: undefined,
        messagesParam: "input",
      },
      turnDeadline(context, services),
    );
    const rendering = { request, identity: newResponseIdentity(share.conversationId), model: share.model };
    const keep = keeper(services, caller.owner, request, share);
    const logger = services.logger;
    const requestId = context.get("requestId");
    return respondWithShare(
      context,
      share,
      request.stream === true,
      {
        json: async (events) => keep(await collectResponse(events, rendering)),
        stream: async function* (events) {
          const onError = (error: { status: number; code: string | null; message: string }) =>
            logger.warn({ requestId, status: error.status, code: error.code }, `stream ended: ${error.message}`);
          for await (const event of responseStreamEvents(events, { ...rendering, onError })) {
            // Kept before the client sees the end: a retrieve right after it finds the response.
            if (event.type === "response.completed" || event.type === "response.incomplete") {
              await keep(event.response as GatewayResponse);
            }
            yield event;
          }
        },
        framing: responsesFraming,
      },
      streamSettings(services),
    );
  });

  routes.get("/v1/responses/:id", async (context) => {
    if (context.req.query("stream") === "true") {
      throw invalidRequest("Streaming a stored response again is not supported.", "stream", "unsupported_parameter");
    }
    const stored = await responses.get(context.get("owner"), context.req.param("id"));
    return context.body(stored.body, 200, { "content-type": "application/json" });
  });
  routes.delete("/v1/responses/:id", async (context) => {
    const id = context.req.param("id");
    await responses.delete(context.get("owner"), id);
    return context.json({ id, object: "response", deleted: true });
  });
  routes.get("/v1/responses/:id/input_items", async (context) => {
    const page = await responses.inputItems(
      context.get("owner"),
      context.req.param("id"),
      parsePageQuery(context.req.query()),
    );
    return context.json(toList(page, (item) => item));
  });
  routes.post("/v1/responses/:id/cancel", async (context) => {
    await responses.get(context.get("owner"), context.req.param("id"));
    throw invalidRequest("Only responses created with background=true can be cancelled.", null, "invalid_request");
  });
  return routes;
}

/** The conversation the request continues by name: `conversation`, or `previous_response_id`'s. */
async function continuedConversation(
  services: GatewayServices,
  owner: string,
  request: ResponsesRequest,
): Promise<string | undefined> {
  const named = typeof request.conversation === "string" ? request.conversation : request.conversation?.id;
  if (!request.previous_response_id) return named ?? undefined;
  if (named) {
    throw invalidRequest(
      "Use either previous_response_id or conversation, not both.",
      "previous_response_id",
      "mutually_exclusive_parameters",
    );
  }
  return services.responses.previous(owner, request.previous_response_id);
}

/** Keeps the finished response (store: true) with its conversation, and hands it on. */
function keeper(services: GatewayServices, owner: string, request: ResponsesRequest, share: TurnShare) {
  let kept = false;
  return async (response: GatewayResponse): Promise<GatewayResponse> => {
    if (kept || request.store === false || share.cached || !share.conversationId) return response;
    kept = true;
    await services.responses.keep({
      id: response.id,
      owner,
      conversationId: share.conversationId,
      revision: share.revision(),
      createdAt: response.created_at,
      body: JSON.stringify(response),
      inputItems: JSON.stringify(storedInputItems(request)),
    });
    return response;
  };
}
