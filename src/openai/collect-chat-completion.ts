/** Assistant output events → one chat.completion (the non-streaming answer). */
import {
  buildChatCompletion,
  type CompletionIdentity,
  type GatewayChatCompletion,
} from "./chat-completion-builders.js";
import type { AssistantOutputEvent } from "./read-assistant-output.js";

export async function collectChatCompletion(
  output: AsyncIterable<AssistantOutputEvent>,
  identity: CompletionIdentity,
): Promise<GatewayChatCompletion> {
  let content = "";
  let refusal: string | null = null;
  for await (const event of output) {
    if (event.type === "text") content += event.text;
    else if (event.type === "replace") content = content.slice(0, content.length - event.discarded.length) + event.text;
    else if (event.type === "refusal") refusal = event.text;
    else if (event.type === "finished") {
      return buildChatCompletion(identity, {
        model: event.model,
        content,
        refusal,
        finishReason: event.finishReason,
        usage: event.usage,
      });
    }
  }
  // readAssistantOutput either finishes or throws; reaching here is a bug.
  throw new Error("the assistant output ended without finishing");
}
