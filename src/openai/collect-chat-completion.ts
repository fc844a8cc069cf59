/** Assistant output events → one chat.completion (the non-streaming answer). */
import { AnswerSoFar } from "./answer-so-far.js";
import {
  buildChatCompletion,
  type CompletionIdentity,
  type GatewayChatCompletion,
} from "./chat-completion-builders.js";
import type { AssistantOutputEvent } from "./read-assistant-output.js";

/** Collects up to the end of the turn, or up to a pause for client tool calls (`tool_calls`). */
export async function collectChatCompletion(
  output: AsyncIterable<AssistantOutputEvent>,
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
  // readAssistantOutput either finishes or throws; reaching here is a bug.
  throw new Error("the assistant output ended without finishing");
}
