/** Assistant output events → one chat.completion (the non-streaming answer). */
import {
  buildChatCompletion,
  type CompletionIdentity,
  type GatewayChatCompletion,
  type ToolCallOutput,
} from "./chat-completion-builders.js";
import type { AssistantOutputEvent } from "./read-assistant-output.js";

/** Collects up to the end of the turn, or up to a pause for client tool calls (`tool_calls`). */
export async function collectChatCompletion(
  output: AsyncIterable<AssistantOutputEvent>,
  identity: CompletionIdentity,
): Promise<GatewayChatCompletion> {
  let content = "";
  let refusal: string | null = null;
  let reasoning = "";
  const toolCalls: ToolCallOutput[] = [];
  for await (const event of output) {
    if (event.type === "text") content += event.text;
    else if (event.type === "replace") content = content.slice(0, content.length - event.discarded.length) + event.text;
    else if (event.type === "refusal") refusal = event.text;
    else if (event.type === "reasoning") reasoning += event.text;
    else if (event.type === "tool_call") toolCalls[event.index] = { id: event.id, name: event.name, arguments: "" };
    else if (event.type === "tool_call_arguments") {
      const call = toolCalls[event.index];
      if (call) call.arguments += event.fragment;
    } else if (event.type === "paused") {
      return buildChatCompletion(identity, {
        model: event.model,
        content,
        refusal,
        finishReason: "tool_calls",
        usage: event.usage,
        toolCalls,
        reasoning,
      });
    } else if (event.type === "finished") {
      return buildChatCompletion(identity, {
        model: event.model,
        content,
        refusal,
        finishReason: event.finishReason,
        usage: event.usage,
        reasoning,
      });
    }
  }
  // readAssistantOutput either finishes or throws; reaching here is a bug.
  throw new Error("the assistant output ended without finishing");
}
