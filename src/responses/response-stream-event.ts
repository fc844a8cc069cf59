/**
 * The events of a streamed response, as the `openai` package types them — with the gateway's
 * response object (no SDK-only `output_text`) where an event carries the whole response.
 */
import type { Response, ResponseErrorEvent, ResponseStreamEvent } from "openai/resources/responses/responses";
import type { GatewayError } from "../errors.js";
import type { GatewayResponse } from "./response-object.js";

type WithGatewayResponse<Event> = Event extends { response: Response }
  ? Omit<Event, "response"> & { response: GatewayResponse }
  : Event;

export type GatewayResponseStreamEvent = WithGatewayResponse<ResponseStreamEvent>;

/**
 * An error that ends a stream before its first event (the SSE writer's `framing.error`): the
 * stream has sent nothing yet, so it is event 0. Once `response.created` is out, a failure is
 * told as `response.failed` by responseStreamEvents instead, and never reaches the writer.
 */
export function responseErrorEvent(error: GatewayError): ResponseErrorEvent {
  return { type: "error", code: error.code, message: error.message, param: error.param, sequence_number: 0 };
}
