/** Assistant output events → the chunks of a streamed chat completion, in OpenAI's order. */
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { ChunkBuilder, type CompletionIdentity } from "./chat-completion-builders.js";
import type { AssistantOutputEvent } from "./read-assistant-output.js";

export async function* chatCompletionChunks(
  output: AsyncIterable<AssistantOutputEvent>,
  options: { identity: CompletionIdentity; model: string; includeUsage: boolean },
): AsyncGenerator<ChatCompletionChunk> {
  const builder = new ChunkBuilder(options.identity, options.model, options.includeUsage);
  let roleSent = false;
  for await (const event of output) {
    if (event.type !== "text") builder.setModel(event.model);
    if (!roleSent) {
      roleSent = true;
      yield builder.role();
    }
    if (event.type === "text") {
      yield builder.content(event.text);
    } else if (event.type === "finished") {
      yield builder.finish(event.finishReason);
      if (options.includeUsage) yield builder.usage(event.usage);
    }
  }
}
