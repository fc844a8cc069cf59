/**
 * A request whose messages end with `tool` results for a parked turn's calls: the results go to
 * the CLI (which is waiting for them) and the turn goes on in this response. Only the owner of the
 * turn can reach it, and only with the results for all its calls.
 */
import type { Context } from "hono";
import { invalidRequest } from "../errors.js";
import { toolResultEntry } from "../openai/client-tools.js";
import type { MappedMessages } from "../openai/map-chat-messages.js";
import type { GatewayEnv } from "./gateway-env.js";
import type { GatewayServices } from "./gateway-services.js";
import { type RespondOptions, respondWithTurn } from "./respond-with-turn.js";

/** The request brings the results of a parked turn's tool calls: the turn goes on from there. */
export async function continueWithToolResults(
  context: Context<GatewayEnv>,
  services: GatewayServices,
  results: NonNullable<MappedMessages["toolResults"]>,
  /** Made only once the request is known to be good (it starts the request's deadline). */
  options: () => RespondOptions,
): Promise<Response> {
  const ids = results.map((result) => result.toolCallId);
  // Another key's turn is none of this caller's business: it is simply not found.
  const parked = services.parkedTurns.take(context.get("owner"), ids);
  if (parked === "several") {
    throw invalidRequest("These tool results answer calls of different turns.", "messages", "invalid_value");
  }
  if (!parked) {
    throw invalidRequest(
      `No turn is waiting for tool results with the ids ${ids.join(", ")}: it ended (abandoned after tools.pending_timeout_seconds, or the gateway restarted) or never asked. Resend the conversation ending with a user message.`,
      "messages",
      "tool_calls_not_pending",
    );
  }
  const missing = parked.toolCallIds.filter((id) => !ids.includes(id));
  if (missing.length > 0) {
    services.parkedTurns.restore(parked);
    throw invalidRequest(
      `Results are missing for the tool calls ${missing.join(", ")}; send them all in one request.`,
      "messages",
      "tool_results_missing",
    );
  }
  const { turn } = parked;
  const entries = results.map((result) => toolResultEntry(result.toolCallId, result.text));
  try {
    await turn.conversation.reserveResults(entries);
  } catch (error) {
    services.parkedTurns.restore(parked);
    throw error;
  }
  turn.conversation.addExchange(entries);
  for (const result of results) {
    const call = parked.toolCalls.find((toolCall) => toolCall.id === result.toolCallId);
    turn.server?.answer(result.toolCallId, { text: result.text }, call);
  }
  return respondWithTurn(context, turn, options());
}
