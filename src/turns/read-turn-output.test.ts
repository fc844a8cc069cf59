import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { TurnLine } from "../claude/protocol.js";
import { GatewayError } from "../errors.js";
import { readTurnOutput } from "./read-turn-output.js";
import type { TurnEvent } from "./turn-event.js";

/** Recorded real CLI output (test/fixtures/claude-cli-examples), one JSON line each. */
function recorded(name: string): TurnLine[] {
  const text = readFileSync(new URL(`../../test/fixtures/claude-cli-examples/${name}`, import.meta.url), "utf8");
  return text
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as TurnLine);
}

async function read(lines: TurnLine[]): Promise<TurnEvent[]> {
  async function* source() {
    yield* lines;
  }
  const events: TurnEvent[] = [];
  for await (const event of readTurnOutput(source(), "requested-model")) events.push(event);
  return events;
}

const textOf = (events: TurnEvent[]) =>
  events.reduce((text, event) => {
    if (event.type === "text") return text + event.text;
    if (event.type === "replace") return text.slice(0, text.length - event.discarded.length) + event.text;
    return text;
  }, "");

const streamEvent = (event: unknown, parent: string | null = null) =>
  ({ type: "stream_event", event, parent_tool_use_id: parent, session_id: "s" }) as TurnLine;
const result = (fields: Record<string, unknown> = {}) =>
  ({
    type: "result",
    subtype: "success",
    is_error: false,
    session_id: "s",
    stop_reason: "end_turn",
    ...fields,
  }) as TurnLine;
const messageStart = (id: string) => streamEvent({ type: "message_start", message: { id, model: "claude-x[1m]" } });
const textStart = (index = 0) =>
  streamEvent({ type: "content_block_start", index, content_block: { type: "text", text: "" } });
const textDelta = (text: string, index = 0) =>
  streamEvent({ type: "content_block_delta", index, delta: { type: "text_delta", text } });
const messageEnd = (stopReason: string) => [
  streamEvent({ type: "message_delta", delta: { stop_reason: stopReason } }),
  streamEvent({ type: "message_stop" }),
];

describe("readAssistantOutput", () => {
  it("reads a recorded streamed turn (2.1.197): started, text, finished with usage", async () => {
    const events = await read(recorded("stream-json-partial-2.1.197.jsonl"));
    // The first message's start reports its input: Anthropic's clients get it in message_start.
    expect(events[0]).toEqual({
      type: "started",
      model: "claude-opus-4-8",
      usage: { input: 3163, output: 1, cachedInput: 0, cacheWrite: 0, reasoning: 0 },
    });
    expect(textOf(events)).toBe("ECHO: partial test");
    const finished = events.at(-1);
    expect(finished).toMatchObject({ type: "finished", finishReason: "stop", model: "claude-opus-4-8" });
    expect(finished?.type === "finished" && finished.usage.input).toBe(3163);
  });

  it("reads a recorded streamed turn of a newer CLI (2.1.330)", async () => {
    expect(textOf(await read(recorded("stream-json-partial-2.1.330.jsonl")))).toBe("ECHO: hi330");
  });

  it("falls back to assistant lines when nothing was streamed, joining text around a built-in tool call", async () => {
    expect(textOf(await read(recorded("stream-json-verbose-2.1.197.jsonl")))).toBe("ECHO: hello there");
    expect(textOf(await read(recorded("stream-json-tool-use-2.1.197.jsonl")))).toBe(
      "Calling Bash.\n\nTOOL_RESULT: hi-from-bash",
    );
  });

  it("leaves out sub-agent output", async () => {
    const events = await read([
      messageStart("m1"),
      textStart(),
      textDelta("main "),
      streamEvent({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "SUB" } }, "toolu_1"),
      textDelta("answer"),
      ...messageEnd("end_turn"),
      result(),
    ]);
    expect(textOf(events)).toBe("main answer");
  });

  it("glues the CLI's continuation after a max_tokens cut onto the cut text", async () => {
    const events = await read([
      messageStart("m1"),
      textStart(),
      textDelta("The answer is forty"),
      ...messageEnd("max_tokens"),
      messageStart("m2"),
      textStart(),
      textDelta("-two."),
      ...messageEnd("end_turn"),
      result(),
    ]);
    expect(textOf(events)).toBe("The answer is forty-two.");
  });

  it("replaces an abandoned streamed message with the CLI's non-streamed retry", async () => {
    const events = await read([
      messageStart("m1"),
      textStart(),
      textDelta("Intro."),
      ...messageEnd("tool_use"),
      messageStart("m2"),
      textStart(),
      textDelta("half an ans"),
      {
        type: "assistant",
        message: { id: "m3", model: "claude-x", content: [{ type: "text", text: "a whole answer" }] },
        parent_tool_use_id: null,
        session_id: "s",
      } as TurnLine,
      result(),
    ]);
    expect(events.find((event) => event.type === "replace")).toEqual({
      type: "replace",
      discarded: "\n\nhalf an ans",
      text: "\n\na whole answer",
    });
    expect(textOf(events)).toBe("Intro.\n\na whole answer");
  });

  it("turns a refusal into a refusal event and content_filter", async () => {
    const events = await read([
      result({
        is_error: true,
        stop_reason: "refusal",
        result: "API Error: Claude Code is unable to respond to this request.\n\nRequest ID: req_1",
      }),
    ]);
    expect(events).toContainEqual({ type: "refusal", text: "Claude Code is unable to respond to this request." });
    expect(events.at(-1)).toMatchObject({ type: "finished", finishReason: "content_filter", model: "requested-model" });
  });

  it("throws the mapped GatewayError for an error result", async () => {
    const failing = read([result({ is_error: true, api_error_status: 429, result: "API Error: 429" })]);
    await expect(failing).rejects.toBeInstanceOf(GatewayError);
    await expect(failing).rejects.toMatchObject({ status: 429, code: "upstream_rate_limited" });
  });

  it("fails clearly when the lines end without a result", async () => {
    await expect(read([messageStart("m1")])).rejects.toMatchObject({ status: 500 });
  });
});
