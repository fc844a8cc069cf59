/**
 * One answer's content blocks, assembled from the turn's events in Anthropic's order — the one fold
 * behind both renderings: the stream's events come out of it as it goes (`add`), and the JSON
 * answer is what it holds at the end (`message`), so the two always agree block for block.
 *
 * A block stays open while the same kind goes on (text after text, thinking after thinking); a tool
 * call is a block of its own, and its arguments go to its own block by call index. A `replace`
 * (the CLI refetched a broken message) can extend what a stream already sent, nothing more; the
 * JSON answer, sent in one piece, takes the replacement whole.
 */
import type {
  ContentBlock,
  Message,
  RawMessageStreamEvent,
  TextBlock,
  ThinkingBlock,
  ToolUseBlock,
} from "@anthropic-ai/sdk/resources/messages/messages";
import { streamedReplacement } from "../turns/streamed-replacement.js";
import type { FinishReason, TokenUsage, TurnEvent } from "../turns/turn-event.js";
import type { MessageRendering } from "./message-object.js";
import { deltaUsage, messageUsage, stopReasonOf } from "./message-usage.js";

/** Anthropic's stream events, and the `ping` its server sends (the SDK's types leave it out). */
export type MessageStreamEvent = RawMessageStreamEvent | { type: "ping" };

type Delta = Extract<RawMessageStreamEvent, { type: "content_block_delta" }>["delta"];

/** A call's arguments as the object Anthropic's `input` is (the model's text, parsed). */
function toolInput(text: string): unknown {
  try {
    const input = JSON.parse(text === "" ? "{}" : text) as unknown;
    return typeof input === "object" && input !== null ? input : {};
  } catch {
    return {};
  }
}

export class MessageAssembly {
  private readonly content: ContentBlock[] = [];
  /** The open block's index in `content`, if a block is open. */
  private open: number | undefined;
  /** Tool calls' blocks, by the events' call index, with their arguments so far. */
  private readonly calls = new Map<number, { block: number; arguments: string }>();
  private model: string;
  private startUsage: TokenUsage | undefined;
  private started = false;
  private ended: { reason: FinishReason | "paused"; usage: TokenUsage } | undefined;

  /** `streamed`: a replacement can only extend what was sent. */
  constructor(
    private readonly rendering: MessageRendering,
    private readonly streamed: boolean,
  ) {
    this.model = rendering.model;
  }

  /** The event's share of the answer, as the stream events that tell it. */
  *add(event: TurnEvent): Generator<MessageStreamEvent> {
    if (!this.started) {
      this.started = true;
      if (event.type === "started") {
        this.model = event.model || this.model;
        this.startUsage = event.usage;
      }
      const start = { ...this.message(), content: [], stop_reason: null };
      start.usage = { ...start.usage, output_tokens: Math.min(1, this.startUsage?.output ?? 0) };
      yield { type: "message_start", message: start };
      yield { type: "ping" };
    }
    switch (event.type) {
      case "text":
      case "refusal":
        yield* this.text(event.text);
        break;
      case "replace":
        yield* this.replace(event);
        break;
      case "reasoning":
        if (this.rendering.thinking === "hidden") break;
        yield* this.thinking();
        if (this.rendering.thinking === "shown") {
          (this.content[this.open ?? -1] as ThinkingBlock).thinking += event.text;
          yield* this.delta({ type: "thinking_delta", thinking: event.text });
        }
        break;
      case "reasoning_signature":
        if (this.rendering.thinking === "hidden") break;
        yield* this.thinking();
        (this.content[this.open ?? -1] as ThinkingBlock).signature = event.signature;
        yield* this.delta({ type: "signature_delta", signature: event.signature });
        break;
      case "tool_call": {
        yield* this.close();
        const block: ToolUseBlock = {
          type: "tool_use",
          id: event.id,
          name: event.name,
          input: {},
          caller: { type: "direct" },
        };
        yield* this.begin(block);
        this.calls.set(event.index, { block: this.open ?? -1, arguments: "" });
        break;
      }
      case "tool_call_arguments":
        yield* this.toolArguments(event.index, event.fragment);
        break;
      case "paused":
      case "finished": {
        yield* this.close();
        this.model = event.model || this.model;
        this.ended = { reason: event.type === "paused" ? "paused" : event.finishReason, usage: event.usage };
        const delta = {
          stop_reason: stopReasonOf(this.ended.reason),
          stop_sequence: null,
          stop_details: null,
          container: null,
        };
        yield { type: "message_delta", delta, usage: deltaUsage(event.usage) };
        yield { type: "message_stop" };
        break;
      }
    }
  }

  /** The answer as it stands (the whole message once the turn paused or finished). */
  message(): Message {
    return {
      id: this.rendering.id,
      type: "message",
      role: "assistant",
      model: this.model,
      content: this.content,
      stop_reason: this.ended ? stopReasonOf(this.ended.reason) : null,
      stop_sequence: null,
      stop_details: null,
      container: null,
      diagnostics: null,
      usage: messageUsage(this.ended?.usage ?? this.startUsage),
    } satisfies Message;
  }

  get done(): boolean {
    return this.ended !== undefined;
  }

  private *text(text: string): Generator<MessageStreamEvent> {
    if (text.length === 0) return;
    if (this.openBlock()?.type !== "text") {
      yield* this.close();
      // No `citations` (the SDK's type has it, nullable): Anthropic leaves it out when there are
      // none, and the AI SDK's provider refuses a null there.
      yield* this.begin({ type: "text", text: "" } as TextBlock);
    }
    (this.content[this.open ?? -1] as TextBlock).text += text;
    yield* this.delta({ type: "text_delta", text });
  }

  private *replace(event: Extract<TurnEvent, { type: "replace" }>): Generator<MessageStreamEvent> {
    if (this.streamed) {
      yield* this.text(streamedReplacement(event));
      return;
    }
    // Sent in one piece: the discarded tail of the text is simply rewritten.
    const last = this.content.findLast((block): block is TextBlock => block.type === "text");
    if (last?.text.endsWith(event.discarded)) {
      last.text = last.text.slice(0, last.text.length - event.discarded.length) + event.text;
      return;
    }
    yield* this.text(streamedReplacement(event));
  }

  private *thinking(): Generator<MessageStreamEvent> {
    if (this.openBlock()?.type === "thinking") return;
    yield* this.close();
    yield* this.begin({ type: "thinking", thinking: "", signature: "" } satisfies ThinkingBlock);
  }

  private *toolArguments(index: number, fragment: string): Generator<MessageStreamEvent> {
    const call = this.calls.get(index);
    if (!call) return;
    // A call's arguments follow its start; reaching another block's would be a bug upstream of here.
    if (call.block !== this.open) throw new Error(`arguments for tool call ${index} after its block closed`);
    // A first fragment "{}" is a whole empty input, which Anthropic streams as no fragment at all.
    if (fragment.length === 0 || (fragment === "{}" && call.arguments === "")) return;
    call.arguments += fragment;
    (this.content[call.block] as ToolUseBlock).input = toolInput(call.arguments);
    yield* this.delta({ type: "input_json_delta", partial_json: fragment });
  }

  private openBlock(): ContentBlock | undefined {
    return this.open === undefined ? undefined : this.content[this.open];
  }

  private *begin(block: ContentBlock): Generator<MessageStreamEvent> {
    this.content.push(block);
    this.open = this.content.length - 1;
    // The start carries the block empty; its content follows as deltas.
    yield { type: "content_block_start", index: this.open, content_block: structuredClone(block) };
  }

  private *delta(delta: Delta): Generator<MessageStreamEvent> {
    yield { type: "content_block_delta", index: this.open ?? -1, delta };
  }

  private *close(): Generator<MessageStreamEvent> {
    if (this.open === undefined) return;
    yield { type: "content_block_stop", index: this.open };
    this.open = undefined;
  }
}
