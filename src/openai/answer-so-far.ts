/**
 * The answer a turn's events add up to so far. The one owner of how text, replacements, refusals,
 * reasoning and tool calls accumulate, for everyone who watches a turn go by (the non-streaming
 * answer, the answer cache, the conversation record, the pause for client tools).
 */
import type { ToolCallOutput } from "./chat-completion-builders.js";
import type { AssistantOutputEvent } from "./read-assistant-output.js";

export class AnswerSoFar {
  content = "";
  refusal: string | null = null;
  reasoning = "";
  /** Indexed by the events' `index`, in the order the model called them. */
  readonly toolCalls: ToolCallOutput[] = [];

  /** Adds the event's share of the answer; events that carry none are ignored. */
  add(event: AssistantOutputEvent): void {
    switch (event.type) {
      case "text":
        this.content += event.text;
        break;
      case "replace":
        this.content = this.content.slice(0, this.content.length - event.discarded.length) + event.text;
        break;
      case "refusal":
        this.refusal = event.text;
        break;
      case "reasoning":
        this.reasoning += event.text;
        break;
      case "tool_call":
        this.toolCalls[event.index] = { id: event.id, name: event.name, arguments: "" };
        break;
      case "tool_call_arguments": {
        const call = this.toolCalls[event.index];
        if (call) call.arguments += event.fragment;
        break;
      }
    }
  }
}
