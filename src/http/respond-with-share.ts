/**
 * Answers one HTTP request from its share of a turn — JSON or SSE, in the dialect's rendering.
 * The turn engine decides what happens at the share's end (the turn waits for tool results, or
 * ends); this only turns events into bytes, and tells the engine when the client stops reading.
 */
import type { Context } from "hono";
import type { Logger } from "../observability/logger.js";
import type { TurnShare } from "../turns/engine-turn.js";
import type { TurnEvent } from "../turns/turn-event.js";
import { carryHeaders } from "./carry-headers.js";
import { cutUnreadStream } from "./cut-unread-stream.js";
import type { GatewayEnv } from "./gateway-env.js";
import { createSseResponse, type SseFraming } from "./sse.js";

export interface ShareRendering {
  /** The whole answer (up to the pause or the end) as one JSON body. */
  json(events: AsyncIterable<TurnEvent>): Promise<unknown>;
  /** The answer as the dialect's stream items. */
  stream(events: AsyncIterable<TurnEvent>): AsyncIterable<unknown>;
  framing?: SseFraming;
}

export interface StreamSettings {
  keepAliveMs: number;
  /** server.stream_buffer_kb in bytes. */
  bufferBytes: number;
  logger: Logger;
}

export async function respondWithShare(
  context: Context<GatewayEnv>,
  share: TurnShare,
  stream: boolean,
  rendering: ShareRendering,
  settings: StreamSettings,
): Promise<Response> {
  const { conversationId } = share;
  try {
    if (!stream) {
      const body = await rendering.json(share.events);
      if (conversationId) context.header("x-conversation-id", conversationId);
      return context.json(body as object);
    }
    const { logger } = settings;
    const requestId = context.get("requestId");
    // One line for a client that went away, whether its stream saw the abort or the cancel first.
    let goneLogged = false;
    const clientGone = () => {
      if (goneLogged) return;
      goneLogged = true;
      const fields = { requestId, status: 499, code: "client_closed_request" };
      logger.info(fields, "stream ended: the client closed the request");
    };
    const items = rendering.stream(share.events)[Symbol.asyncIterator]();
    const response = await createSseResponse(items, {
      keepAliveMs: settings.keepAliveMs,
      bufferBytes: settings.bufferBytes,
      framing: rendering.framing,
      requestId,
      onOverflow: () => share.abort(cutUnreadStream(context, logger, settings.bufferBytes)),
      onStreamError: (error) => {
        if (error.code === "client_closed_request") clientGone();
        else logger.warn({ requestId, status: error.status, code: error.code }, `stream ended: ${error.message}`);
      },
      onCancel: clientGone,
    });
    if (conversationId) response.headers.set("x-conversation-id", conversationId);
    // Headers set before the stream began (request ids, x-cache) go with it.
    return carryHeaders(context, response);
  } catch (error) {
    // Failed before the events were read to their end: nothing else may have ended the turn.
    await share.cancel();
    throw error;
  }
}
