/**
 * The Responses API: POST /v1/responses runs a turn (the request parsed into a turn request, the
 * engine's share rendered as a response or its events); a stored response can be retrieved,
 * listed for its input items and deleted. Every response belongs to a conversation: continued by
 * `previous_response_id`, by `conversation`, or recognised from a resent history — so stateless
 * clients (Codex sends `store: false` and its whole history) continue real CLI sessions too.
 */
import { Hono } from "hono";
import { invalidRequest } from "../../errors.js";
import { parsePageQuery } from "../../openai/conversation-objects.js";
import { collectResponse } from "../../responses/collect-response.js";
import { mapResponseInput } from "../../responses/map-response-input.js";
import { rejectUnsupportedResponseFields } from "../../responses/response-field-policy.js";
import { parseTextFormat } from "../../responses/response-format.js";
import { ResponseKeeping } from "../../responses/response-keeping.js";
import { type GatewayResponse, newResponseIdentity } from "../../responses/response-object.js";
import { mapResponseReasoningEffort } from "../../responses/response-reasoning.js";
import { responseErrorEvent } from "../../responses/response-stream-event.js";
import { responseStreamEvents } from "../../responses/response-stream-events.js";
import { parseResponseTools } from "../../responses/response-tools.js";
import { parseResponsesRequest } from "../../responses/responses-request.js";
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
    const conversationId = await responses.continuedConversation(caller.owner, request);
    const toolResults = mapped.input.kind === "tool_results";
    const clientTools = parseResponseTools(request);
    const jsonSchema = toolResults ? undefined : parseTextFormat(request);
    const keeping = await ResponseKeeping.reserve(responses, caller, request);
    try {
      const share = await services.engine.run(
        {
          caller,
          model: request.model,
          ...mapped,
          clientTools,
          jsonSchema,
          effort: mapResponseReasoningEffort(request),
          conversationId,
          // Always kept, whatever `store` says: it is how a stateless client's next request, which
          // resends this history, continues the same CLI session (store: false keeps no response).
          persist: true,
          cache: undefined,
          messagesParam: "input",
          lateResults: "refuse",
        },
        turnDeadline(context, services),
      );
      const rendering = { request, identity: newResponseIdentity(share.conversationId), model: share.model };
      const { logger } = services;
      const requestId = context.get("requestId");
      return await respondWithShare(
        context,
        share,
        request.stream === true,
        {
          json: async (events) => {
            const response = await collectResponse(events, rendering);
            await keeping?.keep(response, share);
            return response;
          },
          stream: async function* (events) {
            const onError = (error: { status: number; code: string | null; message: string }) =>
              logger.warn({ requestId, status: error.status, code: error.code }, `stream ended: ${error.message}`);
            try {
              for await (const event of responseStreamEvents(events, { ...rendering, onError })) {
                // Kept before the client sees the end: a retrieve right after it finds the response.
                if (event.type === "response.completed" || event.type === "response.incomplete") {
                  await keeping?.keep(event.response as GatewayResponse, share);
                }
                yield event;
              }
            } finally {
              keeping?.release();
            }
          },
          framing: responsesFraming,
        },
        streamSettings(services),
      );
    } catch (error) {
      keeping?.release();
      throw error;
    } finally {
      // A stream is still under way here: it gives the reservation back itself, when it ends.
      if (request.stream !== true) keeping?.release();
    }
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
    // Items are listed as they were kept: their JSON text goes out without being parsed again.
    const body = `{"object":"list","data":[${page.data.map((item) => item.json).join(",")}],"first_id":${JSON.stringify(page.data[0]?.id ?? null)},"last_id":${JSON.stringify(page.data.at(-1)?.id ?? null)},"has_more":${page.hasMore}}`;
    return context.body(body, 200, { "content-type": "application/json" });
  });
  routes.post("/v1/responses/:id/cancel", async (context) => {
    await responses.get(context.get("owner"), context.req.param("id"));
    throw invalidRequest("Only responses created with background=true can be cancelled.", null, "invalid_request");
  });
  return routes;
}
