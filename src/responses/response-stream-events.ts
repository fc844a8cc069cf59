/**
 * A turn's events → the events of a streamed response, in OpenAI's order: `response.created` and
 * `response.in_progress`, then each output item's added / delta / done events, then one end —
 * `response.completed` (also for an answer that pauses for the client's function calls: the client
 * sends their outputs in its next request), `response.incomplete` (cut at the output limit, or a
 * refusal), or `response.failed`. Every event is numbered from 0 (`sequence_number`).
 *
 * Nothing is sent before the turn's first event, so a turn that fails before it still gets a real
 * HTTP error status (see http/sse.ts). After `response.created`, a failure is the stream's last
 * event: `response.failed`, its response carrying the `error` and the output so far — what OpenAI
 * sends, what the `openai` SDKs and Codex read as a failed response (a bare `error` event is left
 * to failures before anything was sent, see responseErrorEvent).
 */
import { asGatewayError, type GatewayError } from "../errors.js";
import type { TurnEvent } from "../turns/turn-event.js";
import { newResponseOutput, type ResponseRendering, renderTurnEvent } from "./render-turn-event.js";
import { buildResponse, type ResponseState, responseError } from "./response-object.js";
import type { OutputEvent } from "./response-output.js";
import type { GatewayResponseStreamEvent } from "./response-stream-event.js";

export async function* responseStreamEvents(
  events: AsyncIterable<TurnEvent>,
  options: ResponseRendering & {
    /** Told about a failure the stream reports as `response.failed` (it never reaches the SSE writer). */
    onError?(error: GatewayError): void;
  },
): AsyncGenerator<GatewayResponseStreamEvent> {
  const { request, identity } = options;
  const output = newResponseOutput(request);
  let model = options.model;
  let sequence = 0;
  let started = false;
  const numbered = (event: OutputEvent) => ({ ...event, sequence_number: sequence++ }) as GatewayResponseStreamEvent;
  const response = (state: Omit<ResponseState, "model" | "output">, openStatus?: "incomplete") =>
    buildResponse(request, identity, { ...state, model, output: output.items(openStatus) });
  try {
    for await (const event of events) {
      if (event.type === "started" || event.type === "paused" || event.type === "finished") model = event.model;
      if (!started) {
        started = true;
        yield numbered({ type: "response.created", response: response({ status: "in_progress" }) });
        yield numbered({ type: "response.in_progress", response: response({ status: "in_progress" }) });
      }
      const rendered = renderTurnEvent(output, event, true);
      for (const outputEvent of rendered.events) yield numbered(outputEvent);
      if (rendered.end) {
        const type = rendered.end.status === "completed" ? "response.completed" : "response.incomplete";
        yield numbered({ type, response: response(rendered.end) });
        return;
      }
    }
    throw new Error("the turn's events ended without the answer's end");
  } catch (error) {
    if (!started) throw error;
    const failure = asGatewayError(error);
    options.onError?.(failure);
    const failed = response({ status: "failed", error: responseError(failure) }, "incomplete");
    yield numbered({ type: "response.failed", response: failed });
  }
}
