/** A turn's events → the chunks of a streamed chat completion, in OpenAI's order. */
import { streamedReplacement } from "../turns/streamed-replacement.js";
import type { TurnEvent } from "../turns/turn-event.js";
import { ChunkBuilder, type CompletionIdentity, type GatewayChatCompletionChunk } from "./chat-completion-builders.js";

export async function* chatCompletionChunks(
  output: AsyncIterable<TurnEvent>,
  options: { identity: CompletionIdentity; model: string; includeUsage: boolean },
): AsyncGenerator<GatewayChatCompletionChunk> {
  const builder = new ChunkBuilder(options.identity, options.model, options.includeUsage);
  let roleSent = false;
  for await (const event of output) {
    if (event.type === "started" || event.type === "finished" || event.type === "paused") builder.setModel(event.model);
    if (!roleSent) {
      roleSent = true;
      yield builder.role();
    }
    if (event.type === "text") {
      yield builder.content(event.text);
    } else if (event.type === "replace") {
      const rest = streamedReplacement(event);
      if (rest.length > 0) yield builder.content(rest);
    } else if (event.type === "refusal") {
      yield builder.refusal(event.text);
    } else if (event.type === "reasoning") {
      yield builder.reasoning(event.text);
    } else if (event.type === "tool_call") {
      yield builder.toolCall(event.index, event.id, event.name);
    } else if (event.type === "tool_call_arguments") {
      yield builder.toolCallArguments(event.index, event.fragment);
    } else if (event.type === "paused") {
      yield builder.finish("tool_calls");
      if (options.includeUsage) yield builder.usage(event.usage);
    } else if (event.type === "finished") {
      yield builder.finish(event.finishReason);
      if (options.includeUsage) yield builder.usage(event.usage);
    }
  }
}
