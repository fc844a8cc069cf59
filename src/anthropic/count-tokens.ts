/**
 * `POST /v1/messages/count_tokens` without Anthropic's tokenizer. The CLI counts tokens only by
 * asking Anthropic's API for its own session, and Claude's tokenizer is not published, so the only
 * honest answer is an estimate, and it is labelled one (the `x-token-count` header, the README):
 * about four characters of text per token for everything the model would read — system prompt,
 * messages, tool definitions, tool inputs and results — and a fixed allowance per image (Anthropic
 * documents ~1,600 tokens for an image of 1.15 megapixels, the size larger ones are scaled to).
 */
import type { CountTokensRequest } from "./messages-request.js";

const charactersPerToken = 4;
const tokensPerImage = 1_600;
/** A message's role and framing. */
const tokensPerMessage = 4;

function countOf(value: unknown, images: { count: number }): number {
  if (typeof value === "string") return value.length;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + countOf(item, images), 0);
  if (typeof value !== "object" || value === null) return 0;
  const block = value as Record<string, unknown>;
  if (block.type === "image") {
    images.count++;
    return 0;
  }
  if (block.type === "tool_use") return countOf(block.name, images) + JSON.stringify(block.input ?? {}).length;
  if (block.type === "tool_result") return countOf(block.content, images);
  if (block.type === "thinking") return countOf(block.thinking, images);
  return countOf(block.text, images);
}

export interface TokenEstimate {
  input_tokens: number;
}

export function estimateInputTokens(request: CountTokensRequest): TokenEstimate {
  const images = { count: 0 };
  const characters =
    countOf(request.system, images) +
    request.messages.reduce((sum, message) => sum + countOf(message.content, images), 0) +
    (request.tools ? JSON.stringify(request.tools).length : 0);
  const text = Math.ceil(characters / charactersPerToken);
  return { input_tokens: text + images.count * tokensPerImage + request.messages.length * tokensPerMessage };
}
