/** A turn's events → one chat.completion (the non-streaming answer). */
import { AnswerSoFar } from "../turns/answer-so-far.js";
import type { TurnEvent } from "../turns/turn-event.js";
import {
  buildChatCompletion,
  type CompletionIdentity,
  type GatewayChatCompletion,
} from "./chat-completion-builders.js";

/** Collects up to the end of the turn, or up to a pause for client tool calls (`tool_calls`). */
export async function collectChatCompletion(
  output: AsyncIterable<TurnEvent>,
  identity: CompletionIdentity,
): Promise<GatewayChatCompletion> {
  const answer = new AnswerSoFar();
  for await (const event of output) {
    answer.add(event);
    if (event.type !== "paused" && event.type !== "finished") continue;
    const { content, refusal, reasoning } = answer;
    const { model, usage } = event;
    return event.type === "paused"
      ? buildChatCompletion(identity, {
          model,
          content,
          refusal,
          finishReason: "tool_calls",
          usage,
          toolCalls: answer.toolCalls,
          reasoning,
        })
      : buildChatCompletion(identity, { model, content, refusal, finishReason: event.finishReason, usage, reasoning });
  }
  // readTurnOutput either finishes or throws; reaching here is a bug.
  throw new Error("the assistant output ended without finishing");
}
