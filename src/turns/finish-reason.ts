/** Why an answer ended, in the gateway's own words (each dialect says it its way). */
export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

/** Anthropic's stop reasons → why the answer ended. */
export function mapFinishReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "refusal":
      return "content_filter";
    // end_turn, stop_sequence, pause_turn; tool_use of Claude Code's own tools ends inside the turn.
    default:
      return "stop";
  }
}
