/**
 * The engine's usage and finish reason in Anthropic's words. Anthropic counts the input read from
 * and written to the prompt cache apart from `input_tokens`; the engine's `input` holds all three.
 */
import type { FinishReason } from "../turns/finish-reason.js";
import type { TokenUsage } from "../turns/token-usage.js";

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens_details: { thinking_tokens: number };
}

export function anthropicUsage(usage: TokenUsage | undefined): AnthropicUsage {
  const { input = 0, output = 0, cachedInput = 0, cacheWrite = 0, reasoning = 0 } = usage ?? {};
  return {
    input_tokens: Math.max(0, input - cachedInput - cacheWrite),
    output_tokens: output,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cachedInput,
    output_tokens_details: { thinking_tokens: reasoning },
  };
}

export type StopReason = "end_turn" | "max_tokens" | "tool_use" | "refusal";

const stopReasons: Record<FinishReason | "paused", StopReason> = {
  stop: "end_turn",
  length: "max_tokens",
  content_filter: "refusal",
  tool_calls: "tool_use",
  paused: "tool_use",
};

export function stopReasonOf(reason: FinishReason | "paused"): StopReason {
  return stopReasons[reason];
}
