/**
 * A turn's token counts, in no dialect. Anthropic counts cached input apart from input_tokens;
 * here `input` includes every input token (fresh, read from the cache, written to it) and
 * `cachedInput` is the share read from the cache — as both OpenAI dialects count; `cacheWrite` the
 * share written to it (Anthropic's dialect tells all three apart again).
 */
import type { ApiUsage } from "../claude/protocol.js";

export interface TokenUsage {
  input: number;
  output: number;
  cachedInput: number;
  cacheWrite: number;
  /** Output tokens spent thinking. */
  reasoning: number;
}

/** The CLI's per-turn usage (summed over every API call of the turn). */
export function tokenUsageOf(usage: ApiUsage | undefined): TokenUsage {
  return {
    input:
      (usage?.input_tokens ?? 0) + (usage?.cache_read_input_tokens ?? 0) + (usage?.cache_creation_input_tokens ?? 0),
    output: usage?.output_tokens ?? 0,
    cachedInput: usage?.cache_read_input_tokens ?? 0,
    cacheWrite: usage?.cache_creation_input_tokens ?? 0,
    reasoning: usage?.output_tokens_details?.thinking_tokens ?? 0,
  };
}

/**
 * `usage` less what earlier answers of the same turn already reported: a turn paused for tool
 * results answers in several responses, and the CLI's final usage covers them all.
 */
export function subtractUsage(usage: TokenUsage, reported: TokenUsage | undefined): TokenUsage {
  if (!reported) return usage;
  const less = (a: number, b: number) => Math.max(0, a - b);
  return {
    input: less(usage.input, reported.input),
    output: less(usage.output, reported.output),
    cachedInput: less(usage.cachedInput, reported.cachedInput),
    cacheWrite: less(usage.cacheWrite, reported.cacheWrite),
    reasoning: less(usage.reasoning, reported.reasoning),
  };
}

export function addUsage(a: TokenUsage | undefined, b: TokenUsage): TokenUsage {
  if (!a) return b;
  return {
    input: a.input + b.input,
    output: a.output + b.output,
    cachedInput: a.cachedInput + b.cachedInput,
    cacheWrite: a.cacheWrite + b.cacheWrite,
    reasoning: a.reasoning + b.reasoning,
  };
}

export const noUsage: TokenUsage = { input: 0, output: 0, cachedInput: 0, cacheWrite: 0, reasoning: 0 };
