/**
 * A turn's events → the Messages API's stream, in Anthropic's order: `message_start` (with the
 * input usage the upstream reported), a `ping`, each content block as `content_block_start`,
 * its deltas (`text_delta`, `thinking_delta`, `signature_delta`, `input_json_delta`) and
 * `content_block_stop`, then `message_delta` (stop_reason, usage) and `message_stop`. A pause for
 * client tool calls ends the message with `tool_use`, as Anthropic's own would.
 */
import { streamedReplacement } from "../turns/streamed-replacement.js";
import type { TurnEvent } from "../turns/turn-event.js";
import type { MessageRendering } from "./collect-message.js";
import type { AnthropicMessage } from "./message-object.js";
import { anthropicUsage, stopReasonOf } from "./message-usage.js";

export type MessageStreamEvent =
  | { type: "message_start"; message: AnthropicMessage }
  | { type: "ping" }
  | { type: "content_block_start"; index: number; content_block: Record<string, unknown> }
  | { type: "content_block_delta"; index: number; delta: Record<string, unknown> }
  | { type: "content_block_stop"; index: number }
  | {
      type: "message_delta";
      delta: { stop_reason: string; stop_sequence: null; stop_details: null };
      usage: ReturnType<typeof anthropicUsage>;
    }
  | { type: "message_stop" };

type BlockKind = "text" | "thinking" | "tool_use";

/** Opens and closes content blocks as the answer moves from one kind to another. */
class Blocks {
  private count = 0;
  private open: { kind: BlockKind; index: number } | undefined;

  *ensure(kind: BlockKind, start: Record<string, unknown>): Generator<MessageStreamEvent, number> {
    if (this.open?.kind === kind && kind !== "tool_use") return this.open.index;
    yield* this.close();
    const index = this.count++;
    this.open = { kind, index };
    yield { type: "content_block_start", index, content_block: start };
    return index;
  }

  *close(): Generator<MessageStreamEvent> {
    if (!this.open) return;
    yield { type: "content_block_stop", index: this.open.index };
    this.open = undefined;
  }

  get openKind(): BlockKind | undefined {
    return this.open?.kind;
  }

  get openIndex(): number {
    return this.open?.index ?? -1;
  }
}

export async function* messageStreamEvents(
  output: AsyncIterable<TurnEvent>,
  rendering: MessageRendering,
): AsyncGenerator<MessageStreamEvent> {
  const blocks = new Blocks();
  /** Calls that got argument fragments: a first fragment "{}" is a whole empty input. */
  const argued = new Set<number>();
  let started = false;
  const textDelta = function* (text: string): Generator<MessageStreamEvent> {
    if (text.length === 0) return;
    const index = yield* blocks.ensure("text", { type: "text", text: "" });
    yield { type: "content_block_delta", index, delta: { type: "text_delta", text } };
  };
  const thinkingBlock = () => blocks.ensure("thinking", { type: "thinking", thinking: "", signature: "" });
  for await (const event of output) {
    if (!started) {
      started = true;
      const model = event.type === "started" ? event.model : rendering.model;
      const usage = event.type === "started" ? event.usage : undefined;
      yield {
        type: "message_start",
        message: {
          id: rendering.id,
          type: "message",
          role: "assistant",
          model: model || rendering.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          stop_details: null,
          usage: { ...anthropicUsage(usage), output_tokens: Math.min(1, usage?.output ?? 0) },
        },
      };
      yield { type: "ping" };
    }
    switch (event.type) {
      case "text":
        yield* textDelta(event.text);
        break;
      case "replace":
        yield* textDelta(streamedReplacement(event));
        break;
      case "refusal":
        yield* textDelta(event.text);
        break;
      case "reasoning": {
        if (rendering.thinking === "hidden") break;
        const index = yield* thinkingBlock();
        if (rendering.thinking === "shown") {
          yield { type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: event.text } };
        }
        break;
      }
      case "reasoning_signature": {
        if (rendering.thinking === "hidden") break;
        const index = yield* thinkingBlock();
        yield { type: "content_block_delta", index, delta: { type: "signature_delta", signature: event.signature } };
        break;
      }
      case "tool_call":
        yield* blocks.ensure("tool_use", { type: "tool_use", id: event.id, name: event.name, input: {} });
        break;
      case "tool_call_arguments":
        // An empty input is told as no fragment at all, as Anthropic streams `{}`.
        if (blocks.openKind === "tool_use" && !(event.fragment === "{}" && !argued.has(event.index))) {
          argued.add(event.index);
          const delta = { type: "input_json_delta", partial_json: event.fragment };
          yield { type: "content_block_delta", index: blocks.openIndex, delta };
        }
        break;
      case "paused":
      case "finished": {
        yield* blocks.close();
        const reason = event.type === "paused" ? "paused" : event.finishReason;
        yield {
          type: "message_delta",
          delta: { stop_reason: stopReasonOf(reason), stop_sequence: null, stop_details: null },
          usage: anthropicUsage(event.usage),
        };
        yield { type: "message_stop" };
        return;
      }
    }
  }
}
