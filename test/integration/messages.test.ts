/**
 * Anthropic's Messages API with the real CLI, the mock Anthropic API and the real
 * `@anthropic-ai/sdk`: messages.create, messages.stream + finalMessage(), a tool-use loop, thinking,
 * images, errors in Anthropic's shape, conversations continued from a resent history, and
 * countTokens.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poolSettled } from "../support/eventually.js";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";
import { tinyPng } from "../support/tiny-png.js";

const alice = "sk-alice-messages";
const bob = "sk-bob-messages";
let test: TestGateway;
let client: Anthropic;
beforeAll(async () => {
  test = await startTestGateway({
    tools: { pending_timeout_seconds: 5 },
    cache: { enabled: true },
    auth: { api_keys: [alice, bob] },
  });
  client = new Anthropic({ baseURL: test.url, apiKey: alice, maxRetries: 0 });
});
afterAll(() => test.close());

const call = (name: string, input: unknown) => `[[tool:mcp__client__${name} ${JSON.stringify(input)}]]`;
const weather: Anthropic.Tool = {
  name: "get_weather",
  description: "The weather in a city",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

/** A first message whose model calls get_weather for `city`: the history with its answer, and the call. */
async function weatherCall(city: string) {
  const messages: Anthropic.MessageParam[] = [{ role: "user", content: call("get_weather", { city }) }];
  const first = await client.messages.create({ model: "sonnet", max_tokens: 100, tools: [weather], messages });
  const use = first.content.find((block) => block.type === "tool_use") as Anthropic.ToolUseBlock;
  messages.push({ role: "assistant", content: first.content });
  return { messages, use, first };
}

describe("POST /v1/messages", () => {
  it("answers in Anthropic's message shape, with usage", async () => {
    const message = await client.messages.create({
      model: "sonnet",
      max_tokens: 1024,
      messages: [{ role: "user", content: "hello there" }],
    });
    expect(message.type).toBe("message");
    expect(message.role).toBe("assistant");
    expect(message.id).toMatch(/^msg_/);
    expect(message.content).toMatchObject([{ type: "text", text: "ECHO: hello there" }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it("streams with messages.stream, and finalMessage() adds up to the same message", async () => {
    const stream = client.messages.stream({
      model: "sonnet",
      max_tokens: 1024,
      messages: [{ role: "user", content: "[[words:5]]" }],
    });
    const types: string[] = [];
    stream.on("streamEvent", (event) => types.push(event.type));
    const final = await stream.finalMessage();
    expect(types[0]).toBe("message_start");
    expect(types.filter((type) => type === "content_block_delta").length).toBe(5);
    expect(types.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    expect(final.content).toMatchObject([{ type: "text", text: "w1 w2 w3 w4 w5 " }]);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage.output_tokens).toBeGreaterThan(0);
  });

  it("runs a tool-use loop: tool_use out, tool_result in, the same turn goes on", async () => {
    const messages: Anthropic.MessageParam[] = [
      { role: "user", content: `What is the weather? ${call("get_weather", { city: "Paris" })}` },
    ];
    const first = await client.messages.create({ model: "sonnet", max_tokens: 1024, tools: [weather], messages });
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((block) => block.type === "tool_use");
    expect(use).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Paris" } });
    messages.push({ role: "assistant", content: first.content });
    messages.push({
      role: "user",
      content: [{ type: "tool_result", tool_use_id: (use as Anthropic.ToolUseBlock).id, content: "sunny, 21C" }],
    });
    const second = await client.messages.create({ model: "sonnet", max_tokens: 1024, tools: [weather], messages });
    expect(second.content).toMatchObject([{ type: "text", text: "TOOL_RESULT: sunny, 21C" }]);
    expect(second.stop_reason).toBe("end_turn");
  });

  it("refuses bad requests in Anthropic's error shape, with a request id", async () => {
    const error = await client.messages
      .create({ model: "sonnet", messages: [{ role: "user", content: "hi" }] } as never)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    const bad = error as InstanceType<typeof Anthropic.BadRequestError>;
    expect(bad.status).toBe(400);
    expect(bad.requestID).toMatch(/^req_/);
    expect(bad.error).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(JSON.stringify(bad.error)).toContain("max_tokens");
  });

  it("refuses to count what it would refuse to answer", async () => {
    const empty = await post({ model: "sonnet", messages: [] }, alice, "/v1/messages/count_tokens");
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    const connector = await post(ask("hi", { mcp_servers: { url: "https://example.com" } }));
    expect(connector.status).toBe(400);
    const prefill = {
      messages: [
        { role: "user", content: "hi" },
        { role: "assistant", content: "Su" },
      ],
    };
    for (const refused of [
      { stop_sequences: ["x"] },
      { tools: [{ type: "web_search_20250305", name: "web_search" }] },
      prefill,
    ]) {
      const count = await post(
        { model: "sonnet", messages: [{ role: "user", content: "hi" }], ...refused },
        alice,
        "/v1/messages/count_tokens",
      );
      expect(count.status).toBe(400);
    }
  });

  it("counts tokens, labelled as an estimate", async () => {
    const count = await client.messages.countTokens({
      model: "sonnet",
      messages: [{ role: "user", content: "hello ".repeat(100) }],
    });
    expect(count.input_tokens).toBeGreaterThan(100);
    const response = await fetch(`${test.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": alice },
      body: JSON.stringify({ model: "sonnet", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.headers.get("x-token-count")).toBe("estimate");
  });
});

/** POSTs a raw Messages body as alice (or `key`). */
function post(body: unknown, key = alice, path = "/v1/messages"): Promise<Response> {
  return fetch(`${test.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": key, "anthropic-version": "2023-06-01" },
    body: JSON.stringify(body),
  });
}

/** An SSE body as its events: the `event:` name and the parsed `data:`. */
async function sseEvents(response: Response): Promise<Array<{ name: string; data: Record<string, unknown> }>> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((block) => block.includes("data: "))
    .map((block) => {
      const name = /^event: (.*)$/m.exec(block)?.[1] ?? "";
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "{}") as Record<string, unknown>;
      return { name, data };
    });
}

/** What the mock received last: the messages of the API call the gateway's CLI made. */
function lastUpstream() {
  return test.environment.mock.messageRequests().at(-1)?.body;
}

const ask = (content: unknown, extra: Record<string, unknown> = {}) => ({
  model: "sonnet",
  max_tokens: 1024,
  messages: [{ role: "user", content }],
  ...extra,
});

describe("the stream on the wire", () => {
  it("names every event by its type, pings once after message_start, and carries the fields the SDK's types require", async () => {
    const response = await post(ask("[[words:3]]", { stream: true }));
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(response.headers.get("request-id")).toMatch(/^req_/);
    const events = await sseEvents(response);
    for (const event of events) expect(event.name).toBe(event.data.type);
    expect(events.map((event) => event.name)).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    // RawMessageStartEvent.message: Message (id, type, role, model, content, stop_reason, stop_sequence, usage).
    expect(events[0]?.data.message).toMatchObject({
      id: expect.stringMatching(/^msg_/),
      type: "message",
      role: "assistant",
      model: expect.any(String),
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) },
    });
    // RawContentBlockStartEvent, RawContentBlockDeltaEvent (TextDelta), RawContentBlockStopEvent.
    expect(events[2]?.data).toEqual({
      type: "content_block_start",
      index: 0,
      content_block: { type: "text", text: "" },
    });
    expect(events[3]?.data).toEqual({
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text: "w1 " },
    });
    expect(events[6]?.data).toEqual({ type: "content_block_stop", index: 0 });
    // RawMessageDeltaEvent: delta.stop_reason, delta.stop_sequence, usage.output_tokens.
    expect(events[7]?.data).toMatchObject({
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: expect.any(Number), input_tokens: expect.any(Number) },
    });
  });

  it("ends a stream whose regenerated answer contradicts what was sent with an error event in Anthropic's shape", async () => {
    const response = await post(ask("[[break:3:new]]", { stream: true }));
    expect(response.status).toBe(200);
    const events = await sseEvents(response);
    const last = events.at(-1);
    expect(last?.name).toBe("error");
    expect(last?.data).toMatchObject({ type: "error", error: { type: "api_error" } });
    expect(JSON.stringify(last?.data.error)).toMatch(/regenerated/);
    expect(last?.data.request_id).toBe(response.headers.get("request-id"));
  });
});

describe("what the request asks for", () => {
  it("shows thinking only when thinking is on, with the upstream's signature", async () => {
    const thinking = await client.messages.create({
      ...ask("[[think:pondering it]] answer"),
      thinking: { type: "enabled", budget_tokens: 2048 },
    } as Anthropic.MessageCreateParamsNonStreaming);
    expect(thinking.content[0]).toEqual({ type: "thinking", thinking: "pondering it", signature: "mock-signature" });
    expect(thinking.usage.output_tokens).toBeGreaterThan(0);
    const plain = await client.messages.create(
      ask("[[think:pondering it]] answer") as Anthropic.MessageCreateParamsNonStreaming,
    );
    expect(plain.content.map((block) => block.type)).toEqual(["text"]);
  });

  it("maps output_config.effort and a thinking budget to the CLI's effort", async () => {
    await client.messages.create({ ...ask("effort one"), output_config: { effort: "low" } } as never);
    expect((lastUpstream() as { output_config?: { effort?: string } }).output_config?.effort).toBe("low");
    await client.messages.create({
      ...ask("effort two"),
      thinking: { type: "enabled", budget_tokens: 20_000 },
    } as never);
    expect((lastUpstream() as { output_config?: { effort?: string } }).output_config?.effort).toBe("high");
  });

  it("passes images to the model: base64 and url", async () => {
    const png = Buffer.from(tinyPng, "base64");
    const message = await client.messages.create(
      ask([
        { type: "image", source: { type: "base64", media_type: "image/png", data: png.toString("base64") } },
        { type: "image", source: { type: "url", url: "https://example.com/cat.png" } },
        { type: "text", text: "describe" },
      ]) as Anthropic.MessageCreateParamsNonStreaming,
    );
    expect(message.content[0]).toEqual({
      type: "text",
      text: `ECHO: describe [images: image/png ${png.length}B, url https://example.com/cat.png]`,
    });
  });

  it("answers in the requested JSON schema (output_config.format)", async () => {
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"] };
    const message = await client.messages.create({
      ...ask("a city, please"),
      output_config: { format: { type: "json_schema", schema } },
    } as never);
    const text = (message.content[0] as Anthropic.TextBlock).text;
    expect(JSON.parse(text)).toEqual({ city: "mock" });
  });

  it("offers no tools with tool_choice none, and asks for a named one with tool_choice tool", async () => {
    await client.messages.create({ ...ask("no tools"), tools: [weather], tool_choice: { type: "none" } } as never);
    const offered = () => (lastUpstream()?.tools ?? []).map((tool) => tool.name);
    expect(offered()).not.toContain("mcp__client__get_weather");
    await client.messages.create({
      ...ask("named"),
      tools: [weather],
      tool_choice: { type: "tool", name: "get_weather" },
    } as never);
    expect(offered()).toContain("mcp__client__get_weather");
    expect(JSON.stringify(lastUpstream()?.messages)).toContain("you must call the function get_weather now");
  });

  it("shows a tool result's base64 images to the model as images", async () => {
    const png = Buffer.from(tinyPng, "base64");
    const { messages, use } = await weatherCall("Bern");
    messages.push({
      role: "user",
      content: [
        {
          type: "tool_result",
          tool_use_id: use.id,
          content: [
            { type: "text", text: "radar" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: png.toString("base64") } },
          ],
        },
      ],
    });
    const answer = await client.messages.create({ model: "sonnet", max_tokens: 100, tools: [weather], messages });
    expect((answer.content[0] as Anthropic.TextBlock).text).toContain(`[image: image/png ${png.length}B]`);
  });

  it("names a tool result's document block to the model instead of refusing the conversation", async () => {
    const { messages, use } = await weatherCall("Pisa");
    messages.push({
      role: "user",
      content: [
        {
          type: "tool_result",
          tool_use_id: use.id,
          content: [
            { type: "text", text: "the report" },
            { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" } },
          ],
        } as Anthropic.ToolResultBlockParam,
      ],
    });
    const answer = await client.messages.create({ model: "sonnet", max_tokens: 100, tools: [weather], messages });
    expect(answer.content).toMatchObject([{ type: "text", text: "TOOL_RESULT: the report\n[document omitted]" }]);
  });

  it("tells the model a failed tool result as an error", async () => {
    const { messages, use } = await weatherCall("Oslo");
    messages.push({
      role: "user",
      content: [{ type: "tool_result", tool_use_id: use.id, content: "service down", is_error: true }],
    });
    await client.messages.create({ model: "sonnet", max_tokens: 100, tools: [weather], messages });
    const result = JSON.stringify(lastUpstream()?.messages?.at(-1));
    expect(result).toContain('"is_error":true');
    expect(result).toContain("service down");
  });
});

describe("calls and schemas the client did not offer", () => {
  it("leaves a call of a tool the client did not offer to the CLI: no pause, no process held", async () => {
    for (const tools of [undefined, [weather]]) {
      const message = await client.messages.create({
        ...ask(`now ${call("ghost", { x: 1 })}`),
        ...(tools ? { tools } : {}),
      } as Anthropic.MessageCreateParamsNonStreaming);
      expect(message.stop_reason).toBe("end_turn");
      expect(message.content.some((block) => block.type === "tool_use")).toBe(false);
      expect(JSON.stringify(message.content)).toContain("No such tool available: mcp__client__ghost");
    }
    await poolSettled(() => test.pool());
  });

  it("refuses a schema the CLI cannot take: not an object at the root, or too large for its command line", async () => {
    const properties = Object.fromEntries(
      Array.from({ length: 2_500 }, (_, index) => [`field${index}`, { type: "string" }]),
    );
    const cases: Array<[unknown, string]> = [
      [{ type: "array", items: { type: "string" } }, "invalid_value"],
      [{ type: "object", properties }, "schema_too_large"],
    ];
    for (const [schema, code] of cases) {
      const response = await post(ask("x", { output_config: { format: { type: "json_schema", schema } } }));
      expect(response.status).toBe(400);
      expect(response.headers.get("x-error-code")).toBe(code);
      expect(await response.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    }
  });
});

describe("tool results that answer nothing", () => {
  it("refuses a result sent twice or for a call the turn did not make, and the turn still takes the right ones", async () => {
    const { messages, use } = await weatherCall("Kyiv");
    const result = (id: string, content: string): Anthropic.ToolResultBlockParam => ({
      type: "tool_result",
      tool_use_id: id,
      content,
    });
    for (const results of [
      [result(use.id, "a"), result(use.id, "b")],
      [result(use.id, "a"), result("toolu_never_made", "b")],
    ]) {
      const refused = await post({
        model: "sonnet",
        max_tokens: 100,
        messages: [...messages, { role: "user", content: results }],
      });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    }
    messages.push({ role: "user", content: [result(use.id, "mild")] });
    const answer = await client.messages.create({ model: "sonnet", max_tokens: 100, tools: [weather], messages });
    expect(answer.content).toMatchObject([{ type: "text", text: "TOOL_RESULT: mild" }]);
  });
});

describe("conversations", () => {
  it("continues the CLI session when the client resends its history", async () => {
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "remember the word teal" }];
    const first = await post({ model: "sonnet", max_tokens: 100, messages });
    const conversation = first.headers.get("x-conversation-id");
    expect(conversation).toMatch(/^conv_/);
    const answer = (await first.json()) as Anthropic.Message;
    messages.push({ role: "assistant", content: answer.content }, { role: "user", content: "which word?" });
    const second = await post({ model: "sonnet", max_tokens: 100, messages });
    expect(second.headers.get("x-conversation-id")).toBe(conversation);
    // The session holds the first exchange as real messages, not a replay as text.
    const upstream = lastUpstream()?.messages ?? [];
    expect(JSON.stringify(upstream)).toContain("ECHO: remember the word teal");
    expect(upstream.filter((message) => message.role === "assistant").length).toBeGreaterThan(0);
  });

  it("answers a repeated first message from the cache", async () => {
    const body = ask("cache me, messages");
    expect((await post(body)).headers.get("x-cache")).toBe("miss");
    const again = await post(body);
    expect(again.headers.get("x-cache")).toBe("hit");
    const thinking = ask("cache my thoughts [[think:deep]]", { thinking: { type: "enabled", budget_tokens: 2048 } });
    await post(thinking);
    const hit = await post(thinking);
    expect(hit.headers.get("x-cache")).toBe("hit");
    const kept = (await hit.json()) as Anthropic.Message;
    expect(kept.content[0]).toEqual({ type: "thinking", thinking: "deep", signature: "mock-signature" });
    expect(((await again.json()) as Anthropic.Message).content).toMatchObject([
      { type: "text", text: "ECHO: cache me, messages" },
    ]);
  });

  it("never lets another key deliver the results of a waiting turn", async () => {
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: call("get_weather", { city: "Rome" }) }];
    const first = await post({ model: "sonnet", max_tokens: 100, tools: [weather], messages });
    const conversation = first.headers.get("x-conversation-id");
    const answer = (await first.json()) as Anthropic.Message;
    const use = answer.content.find((block) => block.type === "tool_use") as Anthropic.ToolUseBlock;
    messages.push({ role: "assistant", content: answer.content });
    const withResult = (content: string): Anthropic.MessageParam[] => [
      ...messages,
      { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content }] },
    ];
    // Bob's copy of the history is his own: it starts a conversation of his, alice's turn is untouched.
    const bobs = await post(
      { model: "sonnet", max_tokens: 100, tools: [weather], messages: withResult("from bob") },
      bob,
    );
    expect(bobs.status).toBe(200);
    expect(bobs.headers.get("x-conversation-id")).not.toBe(conversation);
    expect(test.gateway.services.engine.waitingCount).toBeGreaterThan(0);
    const alices = await post({
      model: "sonnet",
      max_tokens: 100,
      tools: [weather],
      messages: withResult("from alice"),
    });
    expect(alices.headers.get("x-conversation-id")).toBe(conversation);
    expect(((await alices.json()) as Anthropic.Message).content).toMatchObject([
      { type: "text", text: "TOOL_RESULT: from alice" },
    ]);
  });

  it("answers results that come after their turn stopped waiting, from the whole history", async () => {
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: call("get_weather", { city: "Nice" }) }];
    const first = await client.messages.create({ model: "sonnet", max_tokens: 100, tools: [weather], messages });
    const use = first.content.find((block) => block.type === "tool_use") as Anthropic.ToolUseBlock;
    // As after tools.pending_timeout_seconds, or a restart: no turn waits any more.
    test.gateway.services.engine.abandonWaiting("test: the turn gave up");
    messages.push({ role: "assistant", content: first.content });
    messages.push({ role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "late but here" }] });
    const late = await client.messages.create({ model: "sonnet", max_tokens: 100, tools: [weather], messages });
    expect(late.stop_reason).toBe("end_turn");
    expect(JSON.stringify(lastUpstream()?.messages)).toContain("late but here");
  });
});

describe("errors in Anthropic's shape", () => {
  it("401 without a valid key, 404 for an unknown path, with request-id", async () => {
    const unauthorised = await post(ask("hi"), "sk-wrong");
    expect(unauthorised.status).toBe(401);
    expect(unauthorised.headers.get("request-id")).toMatch(/^req_/);
    const body = (await unauthorised.json()) as { request_id: string };
    expect(body).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    expect(body.request_id).toBe(unauthorised.headers.get("request-id"));
    const missing = await post(ask("hi"), alice, "/v1/messages/batches");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      type: "error",
      error: { type: "not_found_error", message: expect.stringContaining("Message Batches") },
    });
    const unknown = await post(ask("hi"), alice, "/v1/messages/nowhere");
    expect(await unknown.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
  });

  it("names what it cannot honour: stop_sequences, server tools, prefill, a missing model", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [ask("hi", { stop_sequences: ["END"] }), "stop_sequences"],
      [ask("hi", { tools: [{ type: "web_search_20250305", name: "web_search" }] }), "tools[0].type"],
      [
        ask("hi", { tools: [{ type: "web_search_20250305", name: "web_search" }], tool_choice: { type: "none" } }),
        "tools[0].type",
      ],
      [ask("hi", { tool_choice: { type: "any" } }), "tool_choice"],
      [
        {
          model: "sonnet",
          max_tokens: 10,
          messages: [
            { role: "user", content: "hi" },
            { role: "assistant", content: "Su" },
          ],
        },
        "messages[1].role",
      ],
      [{ max_tokens: 10, messages: [{ role: "user", content: "hi" }] }, "model"],
    ];
    for (const [body, field] of cases) {
      const response = await post(body);
      expect(response.status, field).toBe(400);
      const error = (await response.json()) as { error: { type: string; message: string } };
      expect(error.error.type).toBe("invalid_request_error");
      expect(error.error.message).toContain(field.replace(/\[\d+\]/g, "").split(".")[0]);
    }
  });

  it("gives the SDK its error classes: an upstream overload, a rate limit", async () => {
    const overloaded = await client.messages.create(ask("[[error:529]]") as never).catch((error: unknown) => error);
    expect(overloaded).toBeInstanceOf(Anthropic.OverloadedError);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    const limited = await client.messages.create(ask("[[error:429]]") as never).catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
  });
});

describe("one engine for every dialect", () => {
  it("continues a conversation started here in chat completions, and one named by x-conversation-id", async () => {
    const first = await post(ask("across dialects, the word is amber"));
    const conversation = first.headers.get("x-conversation-id");
    const answer = ((await first.json()) as Anthropic.Message).content[0] as Anthropic.TextBlock;
    const chat = await fetch(`${test.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${alice}` },
      body: JSON.stringify({
        model: "sonnet",
        messages: [
          { role: "user", content: "across dialects, the word is amber" },
          { role: "assistant", content: answer.text },
          { role: "user", content: "and now?" },
        ],
      }),
    });
    expect(chat.status).toBe(200);
    expect(chat.headers.get("x-conversation-id")).toBe(conversation);
    const named = await fetch(`${test.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": alice, "x-conversation-id": String(conversation) },
      body: JSON.stringify(ask("third, by name")),
    });
    expect(named.headers.get("x-conversation-id")).toBe(conversation);
    const upstream = JSON.stringify(lastUpstream()?.messages);
    expect(upstream).toContain("ECHO: and now?");
    expect(upstream).toContain("across dialects, the word is amber");
  });

  it("continues a conversation started in chat completions", async () => {
    const chat = await fetch(`${test.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${alice}` },
      body: JSON.stringify({ model: "sonnet", messages: [{ role: "user", content: "from chat, the word is jade" }] }),
    });
    const chatAnswer = ((await chat.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message
      .content;
    const continued = await post({
      model: "sonnet",
      max_tokens: 100,
      messages: [
        { role: "user", content: "from chat, the word is jade" },
        { role: "assistant", content: [{ type: "text", text: chatAnswer }] },
        { role: "user", content: "and in messages?" },
      ],
    });
    expect(continued.status).toBe(200);
    // The same CLI session: the first exchange is real history upstream, not replayed text.
    const upstream = lastUpstream()?.messages ?? [];
    expect(JSON.stringify(upstream)).toContain("ECHO: from chat, the word is jade");
    expect(JSON.stringify(upstream)).not.toContain("conversation_history");
  });

  it("reads a local image only for a caller granted the agent", async () => {
    const response = await post(ask([{ type: "image", source: { type: "url", url: "file:///etc/hostname" } }]));
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ type: "error", error: { type: "permission_error" } });
  });

  it("lists models in Anthropic's shape for Anthropic's clients", async () => {
    const page = await client.models.list();
    const ids = page.data.map((model) => model.id);
    expect(ids).toContain("sonnet");
    expect(page.data[0]).toMatchObject({ type: "model", display_name: expect.any(String) });
    expect(Date.parse(page.data[0]?.created_at ?? "")).not.toBeNaN();
    const missing = await client.models.retrieve("no-such-model").catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    expect((missing as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({
      type: "error",
      error: { type: "not_found_error" },
    });
  });
});

describe("limits and metrics, as for every dialect", () => {
  it("refuses past the key's requests_per_minute with a 429 in Anthropic's shape the SDK knows", async () => {
    const limited = await startTestGateway({ auth: { api_keys: [alice], requests_per_minute: 1 } });
    try {
      const sdk = new Anthropic({ baseURL: limited.url, apiKey: alice, maxRetries: 0 });
      await sdk.messages.create(ask("first") as Anthropic.MessageCreateParamsNonStreaming);
      const error = await sdk.messages.create(ask("second") as never).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.RateLimitError);
      const limitedError = error as InstanceType<typeof Anthropic.RateLimitError>;
      expect(limitedError.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(limitedError.error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    } finally {
      await limited.close();
    }
  });

  it("counts its requests and tokens in /metrics", async () => {
    await client.messages.create(ask("metered") as Anthropic.MessageCreateParamsNonStreaming);
    const metrics = await (
      await fetch(`${test.url}/metrics`, { headers: { authorization: `Bearer ${alice}` } })
    ).text();
    expect(metrics).toMatch(/ccapi_http_requests_total\{[^}]*route="\/v1\/messages"[^}]*\} \d+/);
    expect(metrics).toMatch(/ccapi_chat_tokens_total\{[^}]*\} \d+/);
  });
});
