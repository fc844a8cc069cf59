/** A turn's events → one Messages API answer (the non-streaming response). */
import { AnswerSoFar } from "../turns/answer-so-far.js";
import type { TurnEvent } from "../turns/turn-event.js";
import { type AnthropicMessage, type MessageContentBlock, type ThinkingDisplay, toolInput } from "./message-object.js";
import { anthropicUsage, stopReasonOf } from "./message-usage.js";

export interface MessageRendering {
  id: string;
  model: string;
  thinking: ThinkingDisplay;
}

/** Collects up to the end of the turn, or up to a pause for client tool calls (`tool_use`). */
export async function collectMessage(
  output: AsyncIterable<TurnEvent>,
  rendering: MessageRendering,
): Promise<AnthropicMessage> {
  const answer = new AnswerSoFar();
  for await (const event of output) {
    answer.add(event);
    if (event.type !== "paused" && event.type !== "finished") continue;
    const content: MessageContentBlock[] = [];
    const thought = answer.reasoning.length > 0 || answer.reasoningSignature.length > 0;
    if (rendering.thinking !== "hidden" && thought) {
      const thinking = rendering.thinking === "shown" ? answer.reasoning : "";
      content.push({ type: "thinking", thinking, signature: answer.reasoningSignature });
    }
    const text = answer.content + (answer.refusal ?? "");
    if (text.length > 0) content.push({ type: "text", text });
    if (event.type === "paused") {
      for (const call of answer.toolCalls) {
        content.push({ type: "tool_use", id: call.id, name: call.name, input: toolInput(call.arguments) });
      }
    }
    return {
      id: rendering.id,
      type: "message",
      role: "assistant",
      model: event.model || rendering.model,
      content,
      stop_reason: stopReasonOf(event.type === "paused" ? "paused" : event.finishReason),
      stop_sequence: null,
      stop_details: null,
      usage: anthropicUsage(event.usage),
    };
  }
  // readTurnOutput either finishes or throws; reaching here is a bug.
  throw new Error("the assistant output ended without finishing");
}
