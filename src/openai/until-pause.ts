/**
 * One HTTP response's share of a turn: the turn's events up to its end, or up to a pause for
 * client tool calls. At a pause the turn is left running — its process waits for the tool
 * results, which a later request brings — so the source is not closed; anything else (the end,
 * an error, a client gone) closes it, which ends or interrupts the turn.
 */
import type { ToolCallOutput } from "./chat-completion-builders.js";
import type { AssistantOutputEvent } from "./read-assistant-output.js";

export async function* untilPause(
  source: AsyncIterator<AssistantOutputEvent>,
  onEnd: (end: { paused: boolean; toolCalls: ToolCallOutput[] }) => void,
): AsyncGenerator<AssistantOutputEvent> {
  let paused = false;
  const toolCalls: ToolCallOutput[] = [];
  try {
    for (;;) {
      const next = await source.next();
      if (next.done) return;
      // Decided before yielding: a consumer that stops at this event resumes us in `finally`.
      const event = next.value;
      if (event.type === "tool_call") toolCalls[event.index] = { id: event.id, name: event.name, arguments: "" };
      if (event.type === "tool_call_arguments" && toolCalls[event.index]) {
        (toolCalls[event.index] as ToolCallOutput).arguments += event.fragment;
      }
      paused = event.type === "paused";
      yield event;
      if (paused || event.type === "finished") return;
    }
  } finally {
    if (!paused) await source.return?.(undefined);
    onEnd({ paused, toolCalls });
  }
}
