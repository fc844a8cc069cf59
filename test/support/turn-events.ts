/** Turn events as the engine emits them, for the dialects' renderer tests. */
import type { FinishReason, TokenUsage, TurnEvent } from "../../src/turns/turn-event.js";

/** The end of a turn with this usage, model and reason (the session fields are placeholders). */
export function finishedEvent(usage: TokenUsage, model: string, finishReason: FinishReason = "stop"): TurnEvent {
  return {
    type: "finished",
    finishReason,
    usage,
    model,
    sessionId: "session",
    lastMessageId: "msg_api",
    costUsd: 0.01,
  };
}
