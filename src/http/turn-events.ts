/** What happens alongside a turn's assistant events: recording the conversation, noting models. */
import type { ConversationTurn } from "../conversations/conversation-turn.js";
import { AnswerSoFar } from "../openai/answer-so-far.js";
import { toolCallsEntry } from "../openai/client-tools.js";
import type { AssistantOutputEvent } from "../openai/read-assistant-output.js";

/**
 * Records the conversation's turn when the CLI's result arrives, before the client is given the
 * end of the answer. Tool calls the turn paused for become part of its history. A refusal is not
 * recorded (its process is cleared; the conversation stays where it was).
 */
export async function* recordTurn(
  events: AsyncIterable<AssistantOutputEvent>,
  turn: ConversationTurn,
): AsyncGenerator<AssistantOutputEvent> {
  let answer = new AnswerSoFar();
  for await (const event of events) {
    answer.add(event);
    if (event.type === "paused") {
      turn.addExchange([toolCallsEntry(answer.content, answer.toolCalls)]);
      answer = new AnswerSoFar();
    } else if (event.type === "finished" && event.finishReason !== "content_filter") {
      const { model, sessionId, lastMessageId } = event;
      await turn.complete({ text: answer.content, model, sessionId, lastMessageId });
    }
    yield event;
  }
}

export interface TurnObserver {
  /** The first token of the answer (text, reasoning, or a tool call). */
  firstToken(): void;
  /** The turn's end: the model that answered, its usage and cost. */
  finished(event: Extract<AssistantOutputEvent, { type: "finished" }>): void;
}

export async function* observeTurn(
  events: AsyncIterable<AssistantOutputEvent>,
  observer: TurnObserver,
): AsyncGenerator<AssistantOutputEvent> {
  let first = true;
  for await (const event of events) {
    if (first && (event.type === "text" || event.type === "reasoning" || event.type === "tool_call")) {
      first = false;
      observer.firstToken();
    }
    if (event.type === "finished") observer.finished(event);
    yield event;
  }
}
