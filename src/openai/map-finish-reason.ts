/** Anthropic stop reasons → OpenAI finish_reason. */
import type { ChatCompletion } from "openai/resources/chat/completions";

export type FinishReason = ChatCompletion.Choice["finish_reason"];

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
