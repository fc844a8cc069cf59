/** What happens alongside a turn's assistant events: recording the conversation, noting models. */
import type { ConversationTurn } from "../conversations/conversation-turn.js";
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
  let text = "";
  let calls: Array<{ id: string; name: string; arguments: string }> = [];
  for await (const event of events) {
    if (event.type === "text") text += event.text;
    else if (event.type === "replace") text = text.slice(0, text.length - event.discarded.length) + event.text;
    else if (event.type === "tool_call") calls[event.index] = { id: event.id, name: event.name, arguments: "" };
    else if (event.type === "tool_call_arguments") {
      const call = calls[event.index];
      if (call) call.arguments += event.fragment;
    } else if (event.type === "paused") {
      turn.addExchange([toolCallsEntry(text, calls)]);
      text = "";
      calls = [];
    } else if (event.type === "finished" && event.finishReason !== "content_filter") {
      const { model, sessionId, lastMessageId } = event;
      await turn.complete({ text, model, sessionId, lastMessageId });
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
