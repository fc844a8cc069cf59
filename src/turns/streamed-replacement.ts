/**
 * What a stream that already sent text can do with a `replace` event: sent text cannot be taken
 * back, so the stream goes on only when the replacement extends what was sent.
 */
import { GatewayError } from "../errors.js";
import type { TurnEvent } from "./turn-event.js";

/** The text to send after the discarded part; throws when the replacement does not extend it. */
export function streamedReplacement(event: Extract<TurnEvent, { type: "replace" }>): string {
  if (!event.text.startsWith(event.discarded)) {
    throw new GatewayError(
      "The upstream stream broke mid-answer and Claude Code regenerated the answer differently; retry the request.",
      { status: 502, type: "server_error", code: "upstream_stream_interrupted" },
    );
  }
  return event.text.slice(event.discarded.length);
}
