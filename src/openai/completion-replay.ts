/**
 * A finished chat.completion as it travels again: captured from a turn's events (to keep it), and
 * replayed as chunks (a cached answer served to a streaming request).
 */
import { AnswerSoFar } from "./answer-so-far.js";
import {
  buildChatCompletion,
  ChunkBuilder,
  type CompletionIdentity,
  type GatewayChatCompletion,
  type GatewayChatCompletionChunk,
} from "./chat-completion-builders.js";
import type { AssistantOutputEvent } from "./read-assistant-output.js";

/** Passes the events on; `done` gets the completion they add up to, or undefined if none. */
export async function* captureCompletion(
  events: AsyncIterable<AssistantOutputEvent>,
  identity: CompletionIdentity,
  done: (completion: GatewayChatCompletion | undefined) => void,
): AsyncGenerator<AssistantOutputEvent> {
  const answer = new AnswerSoFar();
  let reported = false;
  const report = (completion: GatewayChatCompletion | undefined) => {
    if (reported) return;
    reported = true;
    done(completion);
  };
  try {
    for await (const event of events) {
      answer.add(event);
      if (event.type === "paused") report(undefined);
      else if (event.type === "finished") {
        const { model, finishReason, usage } = event;
        const { content, refusal, reasoning } = answer;
        report(buildChatCompletion(identity, { model, content, refusal, finishReason, usage, reasoning }));
      }
      yield event;
    }
  } finally {
    report(undefined);
  }
}

/** The chunks a stream of this completion would have had (content in one piece). */
export function* replayChunks(
  completion: GatewayChatCompletion,
  identity: CompletionIdentity,
  includeUsage: boolean,
): Generator<GatewayChatCompletionChunk> {
  const builder = new ChunkBuilder(identity, completion.model, includeUsage);
  const message = completion.choices[0]?.message;
  yield builder.role();
  const reasoning = (message as unknown as { reasoning_content?: string } | undefined)?.reasoning_content;
  if (reasoning) yield builder.reasoning(reasoning);
  if (message?.content) yield builder.content(message.content);
  if (message?.refusal) yield builder.refusal(message.refusal);
  yield builder.finish(completion.choices[0]?.finish_reason ?? "stop");
  if (includeUsage && completion.usage) yield builder.usage(completion.usage);
}
