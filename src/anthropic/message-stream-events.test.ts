/**
 * The Messages stream as Anthropic's own SDK reads it: every stream is fed to the SDK's
 * MessageStream accumulator (which refuses events out of order or for blocks it does not know) and
 * its final message must equal the non-streaming answer built from the same events.
 */
import { MessageStream } from "@anthropic-ai/sdk/lib/MessageStream";
import { describe, expect, it } from "vitest";
import { finishedEvent } from "../../test/support/turn-events.js";
import { GatewayError } from "../errors.js";
import type { TurnEvent } from "../turns/turn-event.js";
import { collectMessage } from "./collect-message.js";
import type { MessageRendering } from "./message-object.js";
import { type MessageStreamEvent, messageStreamEvents } from "./message-stream-events.js";

const usage = { input: 120, output: 30, cachedInput: 100, cacheWrite: 5, reasoning: 12 };
const model = "claude-sonnet-4-6";
const started: TurnEvent = { type: "started", model, usage: { ...usage, output: 1 } };
const finished = (finishReason: "stop" | "length" | "content_filter" = "stop") =>
  finishedEvent(usage, model, finishReason);
const rendering = (thinking: MessageRendering["thinking"] = "shown"): MessageRendering => ({
  id: "msg_test",
  model,
  thinking,
});

async function* from(events: TurnEvent[]): AsyncGenerator<TurnEvent> {
  yield* events;
}

async function streamOf(events: TurnEvent[], options = rendering()): Promise<MessageStreamEvent[]> {
  const out: MessageStreamEvent[] = [];
  for await (const event of messageStreamEvents(from(events), options)) out.push(event);
  return out;
}

/** The SDK's reading of the stream (JSON lines, as its fromReadableStream takes them). */
async function sdkFinalMessage(events: MessageStreamEvent[]) {
  const lines = events.map((event) => `${JSON.stringify(event)}\n`).join("");
  const readable = new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(lines));
      controller.close();
    },
  });
  return MessageStream.fromReadableStream(readable).finalMessage();
}

async function bothWays(events: TurnEvent[], options = rendering()) {
  const streamed = await streamOf(events, options);
  // parsed_output is the SDK's own addition (structured output parsed client-side).
  const { parsed_output: _parsed, ...final } = await sdkFinalMessage(streamed);
  const collected = await collectMessage(from(events), options);
  expect(final).toEqual(collected);
  return { streamed, collected };
}

describe("messageStreamEvents", () => {
  it("streams thinking with its signature, then text; usage in Anthropic's fields", async () => {
    const { streamed, collected } = await bothWays([
      started,
      { type: "reasoning", text: "Let me " },
      { type: "reasoning", text: "think." },
      { type: "reasoning_signature", signature: "sig-1" },
      { type: "text", text: "Hello" },
      { type: "text", text: " there" },
      finished(),
    ]);
    expect(streamed.map((event) => event.type)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(streamed[0]).toMatchObject({
      message: { usage: { input_tokens: 15, cache_read_input_tokens: 100, cache_creation_input_tokens: 5 } },
    });
    expect(collected).toMatchObject({
      id: "msg_test",
      type: "message",
      role: "assistant",
      model,
      content: [
        { type: "thinking", thinking: "Let me think.", signature: "sig-1" },
        { type: "text", text: "Hello there" },
      ],
      stop_reason: "end_turn",
      stop_sequence: null,
      stop_details: null,
      usage: {
        input_tokens: 15,
        output_tokens: 30,
        cache_creation_input_tokens: 5,
        cache_read_input_tokens: 100,
        output_tokens_details: { thinking_tokens: 12 },
      },
    });
  });

  it("shows no thinking to a request that did not turn it on, and no thinking text when omitted", async () => {
    const events: TurnEvent[] = [
      started,
      { type: "reasoning", text: "secret" },
      { type: "reasoning_signature", signature: "sig" },
      { type: "text", text: "Hi" },
      finished(),
    ];
    const hidden = await bothWays(events, rendering("hidden"));
    expect(hidden.collected.content).toMatchObject([{ type: "text", text: "Hi" }]);
    const omitted = await bothWays(events, rendering("omitted"));
    expect(omitted.collected.content[0]).toEqual({ type: "thinking", thinking: "", signature: "sig" });
    expect(JSON.stringify(omitted.streamed)).not.toContain("secret");
  });

  it("ends with tool_use blocks when the turn pauses for client tools, an empty input as {}", async () => {
    const { streamed, collected } = await bothWays([
      started,
      { type: "text", text: "Calling." },
      { type: "tool_call", index: 0, id: "toolu_1", name: "get_weather" },
      { type: "tool_call_arguments", index: 0, fragment: '{"city":' },
      { type: "tool_call_arguments", index: 0, fragment: ' "Paris"}' },
      { type: "tool_call", index: 1, id: "toolu_2", name: "get_time" },
      { type: "tool_call_arguments", index: 1, fragment: "{}" },
      { type: "paused", model, usage },
    ]);
    expect(collected.stop_reason).toBe("tool_use");
    expect(collected.content).toEqual([
      { type: "text", text: "Calling." },
      { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" }, caller: { type: "direct" } },
      { type: "tool_use", id: "toolu_2", name: "get_time", input: {}, caller: { type: "direct" } },
    ]);
    const deltas = streamed.filter((event) => event.type === "content_block_delta");
    expect(deltas.map((event) => event.delta.type)).toEqual(["text_delta", "input_json_delta", "input_json_delta"]);
  });

  it("maps why the answer ended: max_tokens, refusal", async () => {
    const cut = await bothWays([started, { type: "text", text: "a" }, finished("length")]);
    expect(cut.collected.stop_reason).toBe("max_tokens");
    const refused = await bothWays([started, { type: "refusal", text: "I can't help." }, finished("content_filter")]);
    expect(refused.collected).toMatchObject({
      stop_reason: "refusal",
      content: [{ type: "text", text: "I can't help." }],
    });
  });

  it("goes on after a replacement that extends the sent text, and fails one that does not", async () => {
    const extended = await bothWays([
      started,
      { type: "text", text: "w1 " },
      { type: "replace", discarded: "w1 ", text: "w1 w2" },
      finished(),
    ]);
    expect(extended.collected.content).toMatchObject([{ type: "text", text: "w1 w2" }]);
    const changed = streamOf([
      started,
      { type: "text", text: "w1 " },
      { type: "replace", discarded: "w1 ", text: "z1" },
    ]);
    await expect(changed).rejects.toMatchObject({ code: "upstream_stream_interrupted" });
    await expect(changed).rejects.toBeInstanceOf(GatewayError);
    // Sent in one piece, the answer takes the replacement whole.
    const whole = await collectMessage(
      from([started, { type: "text", text: "w1 " }, { type: "replace", discarded: "w1 ", text: "z1" }, finished()]),
      rendering(),
    );
    expect(whole.content).toMatchObject([{ type: "text", text: "z1" }]);
  });

  it("keeps thinking and text in their own blocks when they alternate (a turn of several API calls)", async () => {
    const { collected } = await bothWays([
      started,
      { type: "reasoning", text: "t1" },
      { type: "reasoning_signature", signature: "s1" },
      { type: "text", text: "A" },
      { type: "reasoning", text: "t2" },
      { type: "reasoning_signature", signature: "s2" },
      { type: "text", text: "\n\nB" },
      finished(),
    ]);
    expect(collected.content).toMatchObject([
      { type: "thinking", thinking: "t1", signature: "s1" },
      { type: "text", text: "A" },
      { type: "thinking", thinking: "t2", signature: "s2" },
      { type: "text", text: "\n\nB" },
    ]);
  });

  it("refuses arguments for a call whose block is closed rather than corrupt another's", async () => {
    const outOfOrder = streamOf([
      started,
      { type: "tool_call", index: 0, id: "toolu_1", name: "a" },
      { type: "tool_call", index: 1, id: "toolu_2", name: "b" },
      { type: "tool_call_arguments", index: 0, fragment: '{"x":1}' },
    ]);
    await expect(outOfOrder).rejects.toThrow(/tool call 0/);
  });
});
