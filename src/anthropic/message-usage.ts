/**
 * The engine's usage and finish reason in Anthropic's words. Anthropic counts the input read from
 * and written to the prompt cache apart from `input_tokens`; the engine's `input` holds all three.
 * What the CLI does not report (the cache write's 5m/1h split, server tool use, tier, region,
 * speed) is null, as Anthropic's types allow.
 */
import type { MessageDeltaUsage, StopReason, Usage } from "@anthropic-ai/sdk/resources/messages/messages";
import type { FinishReason } from "../turns/finish-reason.js";
import type { TokenUsage } from "../turns/token-usage.js";

export function messageUsage(usage: TokenUsage | undefined): Usage {
  const { input = 0, output = 0, cachedInput = 0, cacheWrite = 0, reasoning = 0 } = usage ?? {};
  return {
    input_tokens: Math.max(0, input - cachedInput - cacheWrite),
    output_tokens: output,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cachedInput,
    output_tokens_details: { thinking_tokens: reasoning },
    cache_creation: null,
    server_tool_use: null,
    inference_geo: null,
    service_tier: null,
    speed: null,
  } satisfies Usage;
}

/** The usage `message_delta` carries: the message's totals so far, as Anthropic sends them. */
export function deltaUsage(usage: TokenUsage | undefined): MessageDeltaUsage {
  const {
    cache_creation: _split,
    inference_geo: _geo,
    service_tier: _tier,
    speed: _speed,
    ...delta
  } = messageUsage(usage);
  return delta satisfies MessageDeltaUsage;
}

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
