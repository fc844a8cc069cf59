/** Assistant output events → one chat.completion (the non-streaming answer). */
import type { ChatCompletion } from "openai/resources/chat/completions";
import { buildChatCompletion, type CompletionIdentity } from "./chat-completion-builders.js";
import type { AssistantOutputEvent } from "./read-assistant-output.js";

export async function collectChatCompletion(
  output: AsyncIterable<AssistantOutputEvent>,
  identity: CompletionIdentity,
): Promise<ChatCompletion> {
  const parts: string[] = [];
  for await (const event of output) {
    if (event.type === "text") parts.push(event.text);
    else if (event.type === "finished") {
      return buildChatCompletion(identity, {
        model: event.model,
        content: parts.join(""),
        finishReason: event.finishReason,
        usage: event.usage,
      });
    }
  }
  // readAssistantOutput either finishes or throws; reaching here is a bug.
  throw new Error("the assistant output ended without finishing");
}
