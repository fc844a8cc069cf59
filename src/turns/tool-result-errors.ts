/** Why tool results could not go on with a waiting turn, and when they belong to another agent. */
import { invalidRequest } from "../errors.js";
import type { TurnIdentity } from "./engine-turn.js";
import type { TurnRequest } from "./turn-request.js";

export function resultsOfSeveralTurns(param: string) {
  return invalidRequest("These tool results answer calls of different turns.", param, "invalid_value");
}

export function noTurnWaiting(ids: string[], param: string) {
  return invalidRequest(
    `No turn is waiting for tool results with the ids ${ids.join(", ")}: it ended (abandoned after tools.pending_timeout_seconds, or the gateway restarted) or never asked. Resend the conversation ending with a user message.`,
    param,
    "tool_calls_not_pending",
  );
}

export function resultsMissing(missing: string[], param: string) {
  return invalidRequest(
    `Results are missing for the tool calls ${missing.join(", ")}; send them all in one request.`,
    param,
    "tool_results_missing",
  );
}

export function resultsRepeated(repeated: string[], param: string) {
  return invalidRequest(
    `More than one result was sent for the tool calls ${repeated.join(", ")}; send one each.`,
    param,
    "invalid_value",
  );
}

export function resultsUnknown(unknown: string[], param: string) {
  return invalidRequest(
    `The waiting turn made no tool calls with the ids ${unknown.join(", ")}; send results for its calls only.`,
    param,
    "invalid_value",
  );
}

/**
 * Results sent with another system prompt, or with another set of tools, come from another agent
 * (the OpenAI Agents SDK hands a conversation over this way). A request that sends no system
 * prompt or no tools keeps the turn's: clients need not repeat them with the results.
 */
export function handedOver(turn: TurnIdentity, request: TurnRequest): boolean {
  if (request.systemPrompt !== undefined && request.systemPrompt !== (turn.systemPrompt ?? undefined)) return true;
  return request.clientTools !== undefined && request.clientTools.key !== turn.toolsKey;
}
