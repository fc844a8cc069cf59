/**
 * One HTTP response's share of a turn: the turn's events up to its end, or up to a pause for
 * client tool calls. At a pause the turn is left running — its process waits for the tool
 * results, which a later request brings — so the source is not closed; anything else (the end,
 * an error, a client gone) closes it, which ends or interrupts the turn.
 */
import { AnswerSoFar } from "./answer-so-far.js";
import type { ToolCallOutput } from "./chat-completion-builders.js";
import type { AssistantOutputEvent } from "./read-assistant-output.js";

export async function* untilPause(
  source: AsyncIterator<AssistantOutputEvent>,
  onEnd: (end: { paused: boolean; toolCalls: ToolCallOutput[] }) => void,
): AsyncGenerator<AssistantOutputEvent> {
  let paused = false;
  const answer = new AnswerSoFar();
  try {
    for (;;) {
      const next = await source.next();
      if (next.done) return;
      // Decided before yielding: a consumer that stops at this event resumes us in `finally`.
      const event = next.value;
      answer.add(event);
      paused = event.type === "paused";
      yield event;
      if (paused || event.type === "finished") return;
    }
  } finally {
    if (!paused) await source.return?.(undefined);
    onEnd({ paused, toolCalls: answer.toolCalls });
  }
}
