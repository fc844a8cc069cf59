/**
 * One turn event's share of a response's output — the step the stream and the JSON answer share,
 * so the events a client sees and the response it is given never disagree.
 */
import type { TurnEvent } from "../turns/turn-event.js";
import { namespacedFunctions } from "./namespaced-functions.js";
import type { ResponseIdentity, ResponseState } from "./response-object.js";
import { type OutputEvent, ResponseOutput } from "./response-output.js";
import { wantsReasoningSummary } from "./response-reasoning.js";
import type { ResponsesRequest } from "./responses-request.js";

export interface ResponseRendering {
  request: ResponsesRequest;
  identity: ResponseIdentity;
  /** The model until the turn names its own. */
  model: string;
}

export function newResponseOutput(request: ResponsesRequest): ResponseOutput {
  return new ResponseOutput({ summary: wantsReasoningSummary(request), functionNames: namespacedFunctions(request) });
}

/**
 * One turn event's share of the output. `sent`: whether text already went to the client (a
 * stream), which decides what a `replace` can do. Returns the final state when the answer ends.
 */
export function renderTurnEvent(
  output: ResponseOutput,
  event: TurnEvent,
  sent: boolean,
): { events: OutputEvent[]; end?: Omit<ResponseState, "model" | "output"> } {
  switch (event.type) {
    case "text":
      return { events: output.text(event.text) };
    case "replace":
      return { events: output.replace(event.discarded, event.text, sent) };
    case "refusal":
      return { events: output.refusal(event.text) };
    case "reasoning":
      return { events: output.reasoning(event.text) };
    case "tool_call":
      return { events: output.toolCall(event.index, event.id, event.name) };
    case "tool_call_arguments":
      return { events: output.toolCallArguments(event.index, event.fragment) };
    case "paused":
      return { events: output.close("completed"), end: { status: "completed", usage: event.usage } };
    case "finished": {
      const { finishReason, usage } = event;
      if (finishReason === "length") {
        const end = { status: "incomplete" as const, incompleteReason: "max_output_tokens" as const, usage };
        return { events: output.close("incomplete"), end };
      }
      if (finishReason === "content_filter") {
        const end = { status: "incomplete" as const, incompleteReason: "content_filter" as const, usage };
        return { events: output.close("completed"), end };
      }
      return { events: output.close("completed"), end: { status: "completed", usage } };
    }
    default:
      return { events: [] };
  }
}
