import { accumulateResponse } from "openai/lib/responses/ResponseAccumulator";
import { ResponseStream } from "openai/lib/responses/ResponseStream";
import type {
  ResponseFunctionToolCall,
  ResponseOutputMessage,
  ResponseStreamEvent,
} from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import { specViolations } from "../../test/support/openapi-validator.js";
import { finishedEvent } from "../../test/support/turn-events.js";
import { GatewayError } from "../errors.js";
import type { TurnEvent } from "../turns/turn-event.js";
import { collectResponse } from "./collect-response.js";
import { type GatewayResponse, newResponseIdentity } from "./response-object.js";
import type { GatewayResponseStreamEvent } from "./response-stream-event.js";
import { responseErrorEvent } from "./response-stream-event.js";
import { responseStreamEvents } from "./response-stream-events.js";
import { parseResponsesRequest } from "./responses-request.js";

const usage = { input: 120, output: 30, cachedInput: 100, cacheWrite: 0, reasoning: 12 };
const model = "claude-sonnet-4-6";
const started: TurnEvent = { type: "started", model };
const finished = (finishReason: "stop" | "length" | "content_filter" = "stop") =>
  finishedEvent(usage, model, finishReason);

async function* source(events: TurnEvent[], failure?: Error): AsyncGenerator<TurnEvent> {
  yield* events;
  if (failure) throw failure;
}

const tools = [
  { type: "function", name: "get_weather", strict: false, parameters: { type: "object" } },
  {
    type: "namespace",
    name: "multi_agent_v1",
    description: "Sub-agents.",
    tools: [{ type: "function", name: "spawn_agent", strict: false, parameters: { type: "object" } }],
  },
  { type: "web_search", external_web_access: false },
];

function rendering(body: Record<string, unknown> = {}) {
  const request = parseResponsesRequest({ model: "sonnet", input: "hi", ...body });
  return { request, identity: newResponseIdentity(undefined), model: "sonnet" };
}

async function stream(events: TurnEvent[], body: Record<string, unknown> = {}, failure?: Error) {
  const seen: GatewayResponseStreamEvent[] = [];
  const errors: GatewayError[] = [];
  const options = { ...rendering(body), onError: (error: GatewayError) => errors.push(error) };
  for await (const event of responseStreamEvents(source(events, failure), options)) seen.push(event);
  return { events: seen, errors, final: (seen.at(-1) as { response: GatewayResponse }).response };
}

/** Every event and the final response valid against the spec; numbered 0, 1, 2…; the SDK agrees. */
async function expectWellFormed(events: GatewayResponseStreamEvent[]) {
  for (const event of events) expect(specViolations("ResponseStreamEvent", event), event.type).toEqual([]);
  expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
  const last = events.at(-1) as { response: GatewayResponse };
  expect(specViolations("Response", last.response)).toEqual([]);
  // The SDK's accumulator, fed every event but the last, builds the output the last one states
  // (the last replaces its snapshot wholesale). A failed response marks its open items incomplete.
  let snapshot: ReturnType<typeof accumulateResponse> | undefined;
  for (const event of events.slice(0, -1)) snapshot = accumulateResponse(event as ResponseStreamEvent, snapshot);
  const failed = last.response.status === "failed";
  const comparable = (items: unknown[]) =>
    failed ? items.map((item) => ({ ...(item as object), status: undefined })) : items;
  expect(comparable(snapshot?.output ?? [])).toEqual(comparable(last.response.output));
  // The SDK's stream reader takes the whole stream to its final response.
  const lines = events.map((event) => `${JSON.stringify(event)}\n`).join("");
  const sdk = ResponseStream.fromReadableStream(new Response(lines).body as ReadableStream);
  expect(await sdk.finalResponse()).toMatchObject({ id: last.response.id, status: last.response.status });
}

const types = (events: GatewayResponseStreamEvent[]) => events.map((event) => event.type);
const withoutIds = (response: GatewayResponse) =>
  JSON.parse(JSON.stringify(response, (key, value) => (key === "id" || key === "completed_at" ? undefined : value)));

describe("responseStreamEvents", () => {
  it("streams a text answer", async () => {
    const { events, final } = await stream([
      started,
      { type: "text", text: "Hello" },
      { type: "text", text: " there" },
      finished(),
    ]);
    await expectWellFormed(events);
    expect(types(events)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(final).toMatchObject({
      object: "response",
      status: "completed",
      model,
      error: null,
      incomplete_details: null,
      output: [
        {
          type: "message",
          role: "assistant",
          status: "completed",
          content: [{ type: "output_text", text: "Hello there", annotations: [], logprobs: [] }],
        },
      ],
      usage: {
        input_tokens: 120,
        input_tokens_details: { cached_tokens: 100, cache_write_tokens: 0 },
        output_tokens: 30,
        output_tokens_details: { reasoning_tokens: 12 },
        total_tokens: 150,
      },
    });
    expect(final.id).toMatch(/^resp_/);
    expect(final.output[0]?.id).toMatch(/^msg_/);
    expect(final.completed_at).toEqual(expect.any(Number));
  });

  it("echoes the request's settings", async () => {
    const { final } = await stream([started, { type: "text", text: "ok" }, finished()], {
      instructions: "Be brief.",
      tools,
      tool_choice: "auto",
      parallel_tool_calls: false,
      metadata: { topic: "t" },
      store: false,
      previous_response_id: "resp_before",
      reasoning: { effort: "low", summary: "auto" },
      text: { format: { type: "json_object" }, verbosity: "low" },
      temperature: 0.2,
    });
    expect(final).toMatchObject({
      instructions: "Be brief.",
      tools,
      tool_choice: "auto",
      parallel_tool_calls: false,
      metadata: { topic: "t" },
      store: false,
      previous_response_id: "resp_before",
      reasoning: { effort: "low", summary: "auto" },
      text: { format: { type: "json_object" }, verbosity: "low" },
      temperature: null,
      top_p: null,
      conversation: null,
    });
    expect(specViolations("Response", final)).toEqual([]);
  });

  it("tells thinking as a summary when asked, then the text as another item", async () => {
    const { events, final } = await stream(
      [
        started,
        { type: "reasoning", text: "Think" },
        { type: "reasoning", text: "ing." },
        { type: "text", text: "Hi" },
        finished(),
      ],
      { reasoning: { summary: "auto" } },
    );
    await expectWellFormed(events);
    expect(types(events).slice(2, 9)).toEqual([
      "response.output_item.added",
      "response.reasoning_summary_part.added",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.delta",
      "response.reasoning_summary_text.done",
      "response.reasoning_summary_part.done",
      "response.output_item.done",
    ]);
    expect(final.output[0]).toMatchObject({
      type: "reasoning",
      summary: [{ type: "summary_text", text: "Thinking." }],
    });
    expect(final.output[0]?.id).toMatch(/^rs_/);
    expect(final.output[1]).toMatchObject({ type: "message", content: [{ text: "Hi" }] });
  });

  it("tells thinking as reasoning_text content when no summary is asked", async () => {
    const { events, final } = await stream([
      started,
      { type: "reasoning", text: "Hmm." },
      { type: "text", text: "Hi" },
      finished(),
    ]);
    await expectWellFormed(events);
    expect(types(events)).toContain("response.reasoning_text.delta");
    expect(final.output[0]).toMatchObject({
      type: "reasoning",
      summary: [],
      content: [{ type: "reasoning_text", text: "Hmm." }],
    });
  });

  it("splits an answer whose thinking comes between texts into messages that join to its text", async () => {
    const { events, final } = await stream([
      started,
      { type: "text", text: "First." },
      { type: "reasoning", text: "More." },
      { type: "text", text: "\n\nSecond." },
      finished(),
    ]);
    await expectWellFormed(events);
    expect(final.output.map((item) => item.type)).toEqual(["message", "reasoning", "message"]);
    const texts = final.output
      .filter((item): item is ResponseOutputMessage => item.type === "message")
      .map((item) => (item.content[0] as { text: string }).text);
    expect(texts.join("")).toBe("First.\n\nSecond.");
  });

  it("ends an answer that pauses for function calls as completed, namespaces apart", async () => {
    const { events, final } = await stream(
      [
        started,
        { type: "text", text: "Checking." },
        { type: "tool_call", index: 0, id: "toolu_1", name: "get_weather" },
        { type: "tool_call", index: 1, id: "toolu_2", name: "multi_agent_v1__spawn_agent" },
        { type: "tool_call_arguments", index: 1, fragment: '{"task":' },
        { type: "tool_call_arguments", index: 1, fragment: '"x"}' },
        // The CLI sends "{}" for an argument-less call only at its message's end.
        { type: "tool_call_arguments", index: 0, fragment: "{}" },
        { type: "paused", model, usage },
      ],
      { tools },
    );
    await expectWellFormed(events);
    expect(final.status).toBe("completed");
    const calls = final.output.filter((item): item is ResponseFunctionToolCall => item.type === "function_call");
    expect(calls).toEqual([
      expect.objectContaining({ call_id: "toolu_1", name: "get_weather", arguments: "{}", status: "completed" }),
      expect.objectContaining({
        call_id: "toolu_2",
        name: "spawn_agent",
        namespace: "multi_agent_v1",
        arguments: '{"task":"x"}',
        status: "completed",
      }),
    ]);
    expect(calls[0]?.id).toMatch(/^fc_/);
    expect(types(events).filter((type) => type === "response.function_call_arguments.done")).toHaveLength(2);
  });

  it("ends a refusal incomplete, for content_filter, the refusal a part of the message", async () => {
    const { events, final } = await stream([
      started,
      { type: "text", text: "I" },
      { type: "refusal", text: "I can't help with that." },
      finished("content_filter"),
    ]);
    await expectWellFormed(events);
    expect(types(events)).toContain("response.refusal.delta");
    expect(types(events).at(-1)).toBe("response.incomplete");
    expect(final).toMatchObject({ status: "incomplete", incomplete_details: { reason: "content_filter" } });
    expect(final.output[0]).toMatchObject({
      content: [
        { type: "output_text", text: "I" },
        { type: "refusal", refusal: "I can't help with that." },
      ],
    });
  });

  it("ends an answer cut at the output limit incomplete, for max_output_tokens", async () => {
    const { events, final } = await stream([started, { type: "text", text: "Once upon" }, finished("length")]);
    await expectWellFormed(events);
    expect(final).toMatchObject({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } });
    expect(final.output[0]).toMatchObject({ status: "incomplete" });
    expect(final.completed_at).toBeNull();
  });

  it("goes on when a regenerated answer extends what was sent", async () => {
    const { events, final } = await stream([
      started,
      { type: "text", text: "Hello" },
      { type: "replace", discarded: "Hello", text: "Hello world" },
      finished(),
    ]);
    await expectWellFormed(events);
    expect(final.output[0]).toMatchObject({ content: [{ text: "Hello world" }] });
  });

  it("fails the response when a regenerated answer differs from what was sent", async () => {
    const { events, final, errors } = await stream([
      started,
      { type: "text", text: "Hello" },
      { type: "replace", discarded: "Hello", text: "Goodbye" },
      finished(),
    ]);
    await expectWellFormed(events);
    expect(types(events).at(-1)).toBe("response.failed");
    expect(final).toMatchObject({ status: "failed", error: { code: "server_error" } });
    expect(final.output[0]).toMatchObject({ status: "incomplete", content: [{ text: "Hello" }] });
    expect(errors.map((error) => error.code)).toEqual(["upstream_stream_interrupted"]);
  });

  it("fails the response on an error mid-stream, a rate limit as such", async () => {
    const limited = new GatewayError("Slow down.", {
      status: 429,
      type: "rate_limit_error",
      code: "upstream_rate_limited",
    });
    const { events, final, errors } = await stream([started, { type: "text", text: "Hel" }], {}, limited);
    await expectWellFormed(events);
    expect(final).toMatchObject({ status: "failed", error: { code: "rate_limit_exceeded", message: "Slow down." } });
    expect(errors).toEqual([limited]);
    const crash = await stream([started], {}, new Error("boom"));
    expect(crash.final).toMatchObject({ status: "failed", error: { code: "server_error" } });
    expect(crash.final.error?.message).not.toContain("boom");
  });

  it("sends nothing for a turn that fails before its first event: the error is the HTTP answer", async () => {
    const failure = new GatewayError("Not logged in.", {
      status: 503,
      type: "server_error",
      code: "claude_not_logged_in",
    });
    await expect(stream([], {}, failure)).rejects.toBe(failure);
    const event = responseErrorEvent(failure);
    expect(specViolations("ResponseStreamEvent", event)).toEqual([]);
    expect(event).toMatchObject({ type: "error", code: "claude_not_logged_in", sequence_number: 0 });
  });
});

describe("collectResponse", () => {
  const answers: Array<{ name: string; events: TurnEvent[]; body?: Record<string, unknown> }> = [
    { name: "text", events: [started, { type: "text", text: "Hello" }, finished()] },
    {
      name: "reasoning and text",
      events: [started, { type: "reasoning", text: "Hmm" }, { type: "text", text: "Hi" }, finished()],
      body: { reasoning: { summary: "detailed" } },
    },
    {
      name: "tool calls",
      events: [
        started,
        { type: "tool_call", index: 0, id: "toolu_1", name: "multi_agent_v1__spawn_agent" },
        { type: "tool_call_arguments", index: 0, fragment: "{}" },
        { type: "paused", model, usage },
      ],
      body: { tools },
    },
    { name: "refusal", events: [started, { type: "refusal", text: "No." }, finished("content_filter")] },
    { name: "length", events: [started, { type: "text", text: "Once" }, finished("length")] },
  ];

  for (const { name, events, body } of answers) {
    it(`gives the streamed response for ${name}, valid against the spec`, async () => {
      const collected = await collectResponse(source(events), rendering(body));
      expect(specViolations("Response", collected)).toEqual([]);
      const { final } = await stream(events, body);
      expect(withoutIds(collected)).toEqual(withoutIds(final));
    });
  }

  it("corrects a regenerated answer that differs (nothing was sent yet)", async () => {
    const collected = await collectResponse(
      source([started, { type: "text", text: "Hello" }, { type: "replace", discarded: "llo", text: "y!" }, finished()]),
      rendering(),
    );
    expect(collected.output[0]).toMatchObject({ content: [{ text: "Hey!" }] });
  });

  it("throws a failure: the JSON answer is an HTTP error", async () => {
    const failure = new GatewayError("Overloaded.", { status: 529, type: "server_error", code: "upstream_overloaded" });
    await expect(collectResponse(source([started, { type: "text", text: "x" }], failure), rendering())).rejects.toBe(
      failure,
    );
  });
});
