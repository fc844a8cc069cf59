/**
 * A turn's events → one response object (the non-streaming answer), through the same output
 * builder as the stream, so both tell the same items. A failure is thrown (an HTTP error), not
 * told as a failed response: nothing was sent yet.
 */
import type { TurnEvent } from "../turns/turn-event.js";
import { newResponseOutput, type ResponseRendering, renderTurnEvent } from "./render-turn-event.js";
import { buildResponse, type GatewayResponse } from "./response-object.js";

/** Collects up to the end of the turn, or up to a pause for the client's function calls. */
export async function collectResponse(
  events: AsyncIterable<TurnEvent>,
  { request, identity, model }: ResponseRendering,
): Promise<GatewayResponse> {
  const output = newResponseOutput(request);
  let current = model;
  for await (const event of events) {
    if (event.type === "started" || event.type === "paused" || event.type === "finished") current = event.model;
    const { end } = renderTurnEvent(output, event, false);
    if (end) return buildResponse(request, identity, { ...end, model: current, output: output.items() });
  }
  // readTurnOutput either finishes or throws; reaching here is a bug.
  throw new Error("the turn's events ended without the answer's end");
}
