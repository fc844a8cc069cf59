/**
 * A request brings the results of a waiting turn's calls: the turn goes on from there. Only its
 * owner can reach it, only with one result for each of its calls, and only as the same agent —
 * results sent under another system prompt or tool set (an Agents SDK handoff) start a new turn
 * with the whole history instead of continuing the old agent's; so do results no turn waits for
 * any more, when the dialect's clients cannot send anything else (`lateResults: "replay"`).
 * Results for a turn another instance holds are sent there (OwnedElsewhere); results for one whose
 * instance is gone are refused with 410, or replayed.
 */
import { OwnedElsewhere, waitingTurnGone } from "../cluster/cluster-errors.js";
import type { WorkLocation } from "../cluster/work-locations.js";
import { systemPromptMismatch } from "../conversations/conversation-errors.js";
import type { EngineTurn, TurnShare } from "./engine-turn.js";
import type { ParkedTurns } from "./parked-turns.js";
import type { RequestDeadline } from "./request-deadline.js";
import type { ImageLimits } from "./resolve-images.js";
import { resolveResultImages } from "./resolve-result-images.js";
import {
  handedOver,
  noTurnWaiting,
  resultsMissing,
  resultsOfSeveralTurns,
  resultsRepeated,
  resultsUnknown,
} from "./tool-result-errors.js";
import { historyEntry, type TurnMessage } from "./turn-message.js";
import type { ToolResultInput, TurnRequest } from "./turn-request.js";

export interface ContinueWaitingDependencies {
  waiting: ParkedTurns<EngineTurn>;
  imageLimits: ImageLimits;
  /** Where the owner's turn waiting for these calls is, when not here (another instance's). */
  locate(owner: string, callIds: string[]): Promise<WorkLocation>;
  /** A new turn on this history (the results in it); `firstTurnAbandoned`: a named conversation's first turn gave way. */
  startAnew(history: TurnMessage[], firstTurnAbandoned: boolean): Promise<TurnShare>;
}

export async function continueWaiting(
  dependencies: ContinueWaitingDependencies,
  request: TurnRequest,
  results: readonly ToolResultInput[],
  deadline: RequestDeadline,
): Promise<TurnShare> {
  const { waiting } = dependencies;
  const param = request.messagesParam;
  const ids = results.map((result) => result.callId);
  const repeated = ids.filter((id, index) => ids.indexOf(id) !== index);
  if (repeated.length > 0) throw resultsRepeated([...new Set(repeated)], param);
  // Checked before the waiting turn is touched: a bad image must not cost it.
  const resolved = await resolveResultImages(results, dependencies.imageLimits);
  // Another key's turn is none of this caller's business: it is simply not found.
  const parked = waiting.take(request.caller.owner, ids);
  if (parked === "several") throw resultsOfSeveralTurns(param);
  const answered = results.map(({ callId, text }): TurnMessage => ({ role: "tool", callId, text }));
  const history = [...request.history, ...answered];
  if (!parked) {
    const where = await dependencies.locate(request.caller.owner, ids);
    if (where.kind === "elsewhere") throw new OwnedElsewhere(where.instance, waitingTurnGone(param));
    if (request.lateResults === "refuse")
      throw where.kind === "gone" ? waitingTurnGone(param) : noTurnWaiting(ids, param);
    // The model reads its calls and their results in the replayed history, and goes on from there.
    return dependencies.startAnew(history, false);
  }
  if (handedOver(parked.identity, request)) {
    // A recorded conversation keeps its system prompt: refused before the waiting turn is lost.
    const { conversationId, systemPrompt } = request;
    const promptChanges = systemPrompt !== undefined && systemPrompt !== parked.identity.systemPrompt;
    if (conversationId && parked.conversation.revision > 0 && promptChanges) {
      waiting.restore(parked);
      throw systemPromptMismatch(conversationId);
    }
    parked.abandon("The conversation was handed to another agent.");
    // A named conversation whose first turn this was starts anew under its id.
    return dependencies.startAnew(history, conversationId !== undefined);
  }
  const unknown = ids.filter((id) => !parked.toolCallIds.includes(id));
  const missing = parked.toolCallIds.filter((id) => !ids.includes(id));
  const misfit =
    unknown.length > 0
      ? resultsUnknown(unknown, param)
      : missing.length > 0
        ? resultsMissing(missing, param)
        : undefined;
  if (misfit) {
    waiting.restore(parked);
    throw misfit;
  }
  const entries = answered.map(historyEntry);
  try {
    await parked.conversation.reserveResults(entries);
  } catch (error) {
    waiting.restore(parked);
    throw error;
  }
  parked.conversation.addExchange(entries);
  parked.answer(resolved);
  return parked.share(deadline);
}
