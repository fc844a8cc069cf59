/**
 * OpenAI `reasoning_effort` → the CLI's effort level (applied per request with the
 * `apply_flag_settings` control request, no restart). The CLI knows low, medium, high, xhigh and
 * max; OpenAI's none and minimal are the lowest it has.
 */
import { invalidRequest } from "../errors.js";
import type { ChatCompletionRequest } from "./chat-completion-request.js";

const levels: Record<string, string> = {
  none: "low",
  minimal: "low",
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "xhigh",
  max: "max",
};

export function mapReasoningEffort(request: ChatCompletionRequest): string | undefined {
  const effort = request.reasoning_effort;
  if (effort === undefined || effort === null) return undefined;
  const level = levels[effort];
  if (!level) {
    throw invalidRequest(
      `Invalid value for 'reasoning_effort': '${effort}'. Use one of ${Object.keys(levels).join(", ")}.`,
      "reasoning_effort",
      "invalid_value",
    );
  }
  return level;
}
