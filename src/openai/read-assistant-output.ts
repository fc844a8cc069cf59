/**
 * A turn's CLI lines → the assistant's output as a few normalized events, shared by the JSON and
 * the SSE responses so both always say the same thing.
 *
 * Text comes from `stream_event` text deltas (token streaming). `assistant` lines repeat each
 * finished block, so they are used only for a message that was never streamed. Sub-agent lines
 * (parent_tool_use_id set) are not the answer. A turn may span several API calls when Claude Code
 * uses its own tools; separate text blocks are joined with a blank line.
 */
import type { CompletionUsage } from "openai/resources/completions";
import type { ResultLine, TurnLine } from "../claude/protocol.js";
import { type FinishReason, mapFinishReason } from "./map-finish-reason.js";
import { mapResultError, mapTurnFailure } from "./map-turn-failure.js";
import { mapUsage } from "./map-usage.js";

export type AssistantOutputEvent =
  | { type: "started"; model: string }
  | { type: "text"; text: string }
  | { type: "finished"; finishReason: FinishReason; usage: CompletionUsage; model: string; sessionId: string };

/** The CLI may report e.g. "claude-opus-4-8[1m]"; the suffix is not part of the model id. */
export function cleanModelName(model: string): string {
  return model.replace(/\[[^\]]*\]$/, "");
}

export async function* readAssistantOutput(
  lines: AsyncIterable<TurnLine>,
  requestedModel: string,
): AsyncGenerator<AssistantOutputEvent> {
  let model: string | undefined;
  let started = false;
  let textSoFar = false;
  let separatorDue = false;
  let stopReason: string | null | undefined;
  const streamedMessages = new Set<string>();

  function* text(value: string): Generator<AssistantOutputEvent> {
    if (value.length === 0) return;
    if (separatorDue && textSoFar) yield { type: "text", text: "\n\n" };
    separatorDue = false;
    textSoFar = true;
    yield { type: "text", text: value };
  }

  try {
    for await (const line of lines) {
      if (line.type === "stream_event" && line.parent_tool_use_id === null) {
        const event = line.event;
        if (event.type === "message_start") {
          streamedMessages.add(event.message.id);
          model = cleanModelName(event.message.model);
          if (!started) {
            started = true;
            yield { type: "started", model };
          }
        } else if (event.type === "content_block_start" && event.content_block.type === "text") {
          separatorDue = true;
        } else if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
          yield* text((event.delta as { text: string }).text);
        } else if (event.type === "message_delta") {
          stopReason = event.delta.stop_reason ?? stopReason;
        }
      } else if (line.type === "assistant" && line.parent_tool_use_id === null) {
        const message = line.message;
        if (streamedMessages.has(message.id) || message.model === "<synthetic>") continue;
        model = cleanModelName(message.model);
        if (!started) {
          started = true;
          yield { type: "started", model };
        }
        for (const block of message.content) {
          if (block.type === "text") {
            separatorDue = true;
            yield* text((block as { text: string }).text);
          }
        }
      } else if (line.type === "result") {
        const result = line as ResultLine;
        if (result.is_error) throw mapResultError(result);
        yield {
          type: "finished",
          finishReason: mapFinishReason(result.stop_reason ?? stopReason),
          usage: mapUsage(result.usage),
          model: model ?? requestedModel,
          sessionId: result.session_id,
        };
        return;
      }
    }
  } catch (error) {
    throw mapTurnFailure(error);
  }
  throw mapTurnFailure(new Error("the turn ended without a result"));
}
