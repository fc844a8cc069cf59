/**
 * The Responses API's `reasoning` → the CLI's effort level, and whether the model's thinking is
 * told as a reasoning summary. Effort maps as Chat Completions' `reasoning_effort` does (one table,
 * in openai/reasoning-effort.ts); the request schema already refused values outside the spec's list.
 */
import { mapReasoningEffort } from "../openai/reasoning-effort.js";
import type { ResponsesRequest } from "./responses-request.js";

/** The CLI's effort level; undefined: claude.effort. */
export function mapResponseReasoningEffort(request: ResponsesRequest): string | undefined {
  const effort = request.reasoning?.effort;
  if (effort === undefined || effort === null) return undefined;
  return mapReasoningEffort({ messages: [], reasoning_effort: effort });
}

/**
 * Whether the client asked for reasoning summaries (`reasoning.summary`, or its deprecated name
 * `generate_summary`): auto, concise or detailed; `none` (Codex's) or nothing is no.
 */
export function wantsReasoningSummary(request: ResponsesRequest): boolean {
  const summary = request.reasoning?.summary ?? request.reasoning?.generate_summary;
  return summary === "auto" || summary === "concise" || summary === "detailed";
}
