/**
 * Messages API `output_config.effort` and `thinking` → the CLI's effort level (applied per request,
 * as for the OpenAI dialects). `effort` is the CLI's own scale and passes as is; without it, a
 * thinking budget picks the level whose thinking is closest (the CLI has effort, not budgets),
 * `disabled` the lowest, and `adaptive` leaves the gateway's setting (`claude.effort`).
 */
import type { MessagesRequest } from "./messages-request.js";

/** Budgets up to each bound think at that level; larger ones at `max`. */
const budgetLevels: Array<[number, string]> = [
  [4_096, "low"],
  [16_384, "medium"],
  [32_768, "high"],
  [65_536, "xhigh"],
];

/** The CLI's effort level; undefined: claude.effort. */
export function mapMessagesEffort(request: Pick<MessagesRequest, "output_config" | "thinking">): string | undefined {
  const effort = request.output_config?.effort;
  if (effort) return effort;
  const thinking = request.thinking;
  if (thinking?.type === "disabled") return "low";
  if (thinking?.type === "enabled" && thinking.budget_tokens !== undefined) {
    const budget = thinking.budget_tokens;
    return budgetLevels.find(([bound]) => budget <= bound)?.[1] ?? "max";
  }
  return undefined;
}
