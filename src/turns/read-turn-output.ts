/**
 * A turn's CLI lines → the turn's events (turn-event.ts), shared by every dialect and by the JSON
 * and the SSE responses, so all always say the same thing.
 *
 * Text comes from `stream_event` text deltas (token streaming). `assistant` lines repeat each
 * finished block, so they are used only for a message that was never streamed. Sub-agent lines
 * (parent_tool_use_id set) are not the answer. A turn spans several API calls when Claude Code
 * uses its own tools: separate text blocks are joined with a blank line — except the CLI's
 * automatic continuation after a `max_tokens` stop, which resumes mid-thought and is glued on.
 * A refusal arrives as an error result with stop_reason "refusal"; it is the model's answer,
 * not a failure.
 *
 * When an upstream stream breaks mid-message, the CLI abandons the streamed message (no
 * message_stop) and fetches a complete replacement without streaming; it arrives as an
 * `assistant` line of a new, unstreamed message. That becomes a `replace` event: the text already
 * emitted for the abandoned message is superseded.
 */
import { clientToolPrefix } from "../claude/client-tool-server.js";
import type { ApiUsage, AssistantLine, ResultLine, StreamEvent, TurnLine } from "../claude/protocol.js";
import { GatewayError } from "../errors.js";
import { mapFinishReason } from "./finish-reason.js";
import { mapResultError, mapTurnFailure } from "./map-turn-failure.js";
import { addUsage, subtractUsage, type TokenUsage, tokenUsageOf } from "./token-usage.js";
import type { TurnEvent } from "./turn-event.js";

function structuredOutputMissing(): GatewayError {
  return new GatewayError(
    "The model did not answer in the requested structured format (it was asked twice); retry the request.",
    { status: 502, type: "server_error", code: "structured_output_missing" },
  );
}

/** The CLI may report e.g. "claude-opus-4-8[1m]"; the suffix is not part of the model id. */
export function cleanModelName(model: string): string {
  return model.replace(/\[[^\]]*\]$/, "");
}

/** "API Error: Claude Code is unable to respond … \n\nRequest ID: …" → the sentence in between. */
function refusalText(result: ResultLine): string {
  const text = (result.result ?? "").replace(/^API Error:\s*/, "").replace(/\s*Request ID:.*$/s, "");
  return text.trim() || "The model refused to answer this request.";
}

class OutputReader {
  /** `offered`: the client's tool names for this turn; a call of any other is not the client's. */
  constructor(private readonly offered: ReadonlySet<string>) {}

  /** The client tool a tool_use block calls, if it is one the client offered. */
  private clientTool(name: string): string | undefined {
    if (!name.startsWith(clientToolPrefix)) return undefined;
    const tool = name.slice(clientToolPrefix.length);
    return this.offered.has(tool) ? tool : undefined;
  }

  model: string | undefined;
  private started = false;
  private textSoFar = false;
  private separatorDue = false;
  private previousStopReason: string | null | undefined;
  private continuing = false;
  private readonly streamedMessages = new Set<string>();
  private lastMessageId: string | undefined;
  /** Client tool calls of the streamed message, by content block index. */
  private toolBlocks = new Map<number, number>();
  /** Call indexes that got argument fragments (a call without any gets "{}", as OpenAI sends). */
  private toolArguments = new Set<number>();
  private toolCallCount = 0;
  /** Tool calls announced without a streamed message end (see toolWaiting). */
  private unpausedCalls = 0;
  /** Tool calls the CLI already waits on; the line saying so can come before the call's own. */
  private readonly waitedFor = new Set<string>();
  private messageUsage: ApiUsage | undefined;
  /** Usage already reported by earlier answers of this turn (paused for tool results). */
  private reportedUsage: TokenUsage | undefined;
  /** The latest streamed message: whether it completed, and the text emitted for it. */
  private current: { stopped: boolean; emitted: string; separated: boolean } | undefined;

  *start(model: string, usage?: ApiUsage): Generator<TurnEvent> {
    this.model = cleanModelName(model);
    if (this.started) return;
    this.started = true;
    yield { type: "started", model: this.model, ...(usage ? { usage: tokenUsageOf(usage) } : {}) };
  }

  /** The text to emit for `value`, with a blank line ahead of a new block when one is due. */
  private place(value: string): string {
    if (value.length === 0) return "";
    const separated = this.separatorDue && this.textSoFar;
    this.separatorDue = false;
    this.textSoFar = true;
    if (separated && this.current?.emitted === "") this.current.separated = true;
    return separated ? `\n\n${value}` : value;
  }

  *text(value: string): Generator<TurnEvent> {
    const placed = this.place(value);
    if (placed.length === 0) return;
    if (this.current) this.current.emitted += placed;
    yield { type: "text", text: placed };
  }

  private textBlockStarts(): void {
    // The first text block after a max_tokens cut continues the cut text directly.
    this.separatorDue = !this.continuing;
    this.continuing = false;
  }

  *streamEvent(event: StreamEvent): Generator<TurnEvent> {
    if (event.type === "message_start") {
      this.streamedMessages.add(event.message.id);
      this.continuing = this.previousStopReason === "max_tokens";
      this.current = { stopped: false, emitted: "", separated: false };
      this.toolBlocks.clear();
      this.messageUsage = event.message.usage;
      yield* this.start(event.message.model, event.message.usage);
    } else if (event.type === "content_block_start" && event.content_block.type === "text") {
      this.textBlockStarts();
    } else if (event.type === "content_block_start" && event.content_block.type === "tool_use") {
      const block = event.content_block as { id: string; name: string };
      // A call of a tool the client did not offer is the CLI's to answer ("no such tool").
      const name = this.clientTool(block.name);
      if (name === undefined) return;
      const index = this.toolCallCount++;
      this.toolBlocks.set(event.index, index);
      yield { type: "tool_call", index, id: block.id, name };
    } else if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
      yield* this.text((event.delta as { text: string }).text);
    } else if (event.type === "content_block_delta" && event.delta.type === "thinking_delta") {
      const thinking = (event.delta as { thinking: string }).thinking;
      if (thinking.length > 0) yield { type: "reasoning", text: thinking };
    } else if (event.type === "content_block_delta" && event.delta.type === "signature_delta") {
      const signature = (event.delta as { signature?: unknown }).signature;
      if (typeof signature === "string" && signature.length > 0) yield { type: "reasoning_signature", signature };
    } else if (event.type === "content_block_delta" && event.delta.type === "input_json_delta") {
      const index = this.toolBlocks.get(event.index);
      const fragment = (event.delta as { partial_json: string }).partial_json;
      if (index !== undefined && fragment.length > 0) {
        this.toolArguments.add(index);
        yield { type: "tool_call_arguments", index, fragment };
      }
    } else if (event.type === "message_delta") {
      this.previousStopReason = event.delta.stop_reason ?? this.previousStopReason;
      this.messageUsage = { ...this.messageUsage, ...event.usage };
    } else if (event.type === "message_stop" && this.current) {
      this.current.stopped = true;
      if (this.previousStopReason === "tool_use" && this.toolBlocks.size > 0) {
        // The CLI now calls the client's tools and waits: this answer ends here.
        for (const index of this.toolBlocks.values()) {
          if (!this.toolArguments.has(index)) yield { type: "tool_call_arguments", index, fragment: "{}" };
        }
        this.toolArguments.clear();
        yield* this.pauseForTools();
      }
    }
  }

  *assistant(line: AssistantLine): Generator<TurnEvent> {
    this.lastMessageId = line.message.id;
    const message = line.message;
    if (this.streamedMessages.has(message.id) || message.model === "<synthetic>") return;
    yield* this.start(message.model);
    yield* this.unstreamedToolCalls(line);
    const abandoned =
      this.current && !this.current.stopped && this.current.emitted.length > 0 ? this.current : undefined;
    this.current = undefined;
    const texts = message.content
      .filter((block) => block.type === "text")
      .map((block) => (block as { text: string }).text);
    if (!abandoned) {
      for (const text of texts) {
        this.textBlockStarts();
        yield* this.text(text);
      }
      return;
    }
    // Put the replacement exactly where the abandoned text began.
    const replacement = (abandoned.separated ? "\n\n" : "") + texts.filter((text) => text.length > 0).join("\n\n");
    yield { type: "replace", discarded: abandoned.emitted, text: replacement };
  }

  /** Client tool calls of a message that was not streamed (fetched again after a broken stream). */
  private *unstreamedToolCalls(line: AssistantLine): Generator<TurnEvent> {
    for (const block of line.message.content) {
      if (block.type !== "tool_use") continue;
      const use = block as { id: string; name: string; input: unknown };
      const name = this.clientTool(use.name);
      if (name === undefined) continue;
      const index = this.toolCallCount++;
      this.unpausedCalls++;
      yield { type: "tool_call", index, id: use.id, name };
      yield { type: "tool_call_arguments", index, fragment: JSON.stringify(use.input ?? {}) };
      if (line.message.usage) this.messageUsage = line.message.usage;
      if (this.waitedFor.delete(use.id)) yield* this.pauseForTools();
    }
  }

  /**
   * The CLI asks for a client tool's result (a line the client tool server adds): if the calls it
   * waits for were never announced by a streamed message's end, this answer ends here.
   */
  *toolWaiting(toolUseId: string): Generator<TurnEvent> {
    if (this.unpausedCalls === 0) {
      this.waitedFor.add(toolUseId);
      return;
    }
    yield* this.pauseForTools();
  }

  /** This answer ends with its tool calls; the next one (after the results) starts afresh. */
  private *pauseForTools(): Generator<TurnEvent> {
    // The answer after the results starts anew: its first message says its model and input again.
    this.started = false;
    this.unpausedCalls = 0;
    this.toolCallCount = 0;
    this.separatorDue = false;
    this.textSoFar = false;
    const usage = tokenUsageOf(this.messageUsage);
    this.reportedUsage = addUsage(this.reportedUsage, usage);
    yield { type: "paused", model: this.model ?? "", usage };
  }

  *result(result: ResultLine, requestedModel: string): Generator<TurnEvent> {
    const refused = result.stop_reason === "refusal";
    if (result.is_error && !refused) throw mapResultError(result);
    if (refused) yield { type: "refusal", text: refusalText(result) };
    yield {
      type: "finished",
      finishReason: mapFinishReason(result.stop_reason ?? this.previousStopReason),
      usage: subtractUsage(tokenUsageOf(result.usage), this.reportedUsage),
      model: this.model ?? requestedModel,
      sessionId: result.session_id,
      lastMessageId: this.lastMessageId,
      costUsd: result.turn_cost_usd ?? 0,
    };
  }
}

/**
 * `structured`: the turn answers through the CLI's structured output (`--json-schema`); the
 * content is the object as JSON text, not the model's words along the way. `clientTools`: the
 * names of the client's tools this turn offers — only their calls pause the answer.
 */
export async function* readTurnOutput(
  lines: AsyncIterable<TurnLine>,
  requestedModel: string,
  options: { structured?: boolean; clientTools?: readonly string[] } = {},
): AsyncGenerator<TurnEvent> {
  const reader = new OutputReader(new Set(options.clientTools ?? []));
  const shown = (event: TurnEvent) => !options.structured || (event.type !== "text" && event.type !== "replace");
  try {
    for await (const line of lines) {
      let events: Iterable<TurnEvent> = [];
      if (line.type === "host") {
        events = reader.toolWaiting(line.toolUseId);
      } else if (line.type === "stream_event" && line.parent_tool_use_id === null)
        events = reader.streamEvent(line.event);
      else if (line.type === "assistant" && line.parent_tool_use_id === null) events = reader.assistant(line);
      else if (line.type === "result") {
        const result = line as ResultLine;
        if (options.structured && !result.is_error) {
          if (result.structured_output === undefined) throw structuredOutputMissing();
          yield { type: "text", text: JSON.stringify(result.structured_output) };
        }
        yield* reader.result(result, requestedModel);
        return;
      }
      for (const event of events) if (shown(event)) yield event;
    }
  } catch (error) {
    throw mapTurnFailure(error);
  }
  throw mapTurnFailure(new Error("the turn ended without a result"));
}
