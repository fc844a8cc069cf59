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

/**
 * `usage` less what earlier answers of the same turn already reported: a turn parked for tool
 * results answers in several responses, and the CLI's final usage covers them all.
 */
export function subtractUsage(usage: CompletionUsage, reported: CompletionUsage | undefined): CompletionUsage {
  if (!reported) return usage;
  const less = (a: number | undefined, b: number | undefined) => Math.max(0, (a ?? 0) - (b ?? 0));
  return {
    prompt_tokens: less(usage.prompt_tokens, reported.prompt_tokens),
    completion_tokens: less(usage.completion_tokens, reported.completion_tokens),
    total_tokens: less(usage.total_tokens, reported.total_tokens),
    prompt_tokens_details: {
      cached_tokens: less(usage.prompt_tokens_details?.cached_tokens, reported.prompt_tokens_details?.cached_tokens),
    },
    completion_tokens_details: {
      reasoning_tokens: less(
        usage.completion_tokens_details?.reasoning_tokens,
        reported.completion_tokens_details?.reasoning_tokens,
      ),
    },
  };
}

export function addUsage(a: CompletionUsage | undefined, b: CompletionUsage): CompletionUsage {
  if (!a) return b;
  return {
    prompt_tokens: a.prompt_tokens + b.prompt_tokens,
    completion_tokens: a.completion_tokens + b.completion_tokens,
    total_tokens: a.total_tokens + b.total_tokens,
    prompt_tokens_details: {
      cached_tokens: (a.prompt_tokens_details?.cached_tokens ?? 0) + (b.prompt_tokens_details?.cached_tokens ?? 0),
    },
    completion_tokens_details: {
      reasoning_tokens:
        (a.completion_tokens_details?.reasoning_tokens ?? 0) + (b.completion_tokens_details?.reasoning_tokens ?? 0),
    },
  };
}
