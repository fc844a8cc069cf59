/**
 * The CLI's per-turn usage (summed over every API call of the turn) → OpenAI usage. Anthropic
 * counts cached input apart from input_tokens; OpenAI's prompt_tokens include it, with the cached
 * share in prompt_tokens_details.cached_tokens.
 */
import type { CompletionUsage } from "openai/resources/completions";
import type { ApiUsage } from "../claude/protocol.js";

export function mapUsage(usage: ApiUsage | undefined): CompletionUsage {
  const input = usage?.input_tokens ?? 0;
  const cacheRead = usage?.cache_read_input_tokens ?? 0;
  const cacheWrite = usage?.cache_creation_input_tokens ?? 0;
  const output = usage?.output_tokens ?? 0;
  const promptTokens = input + cacheRead + cacheWrite;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: output,
    total_tokens: promptTokens + output,
    prompt_tokens_details: { cached_tokens: cacheRead },
    completion_tokens_details: { reasoning_tokens: usage?.output_tokens_details?.thinking_tokens ?? 0 },
  };
}
