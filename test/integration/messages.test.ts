/**
 * Anthropic's Messages API with the real CLI, the mock Anthropic API and the real
 * `@anthropic-ai/sdk`: messages.create, messages.stream + finalMessage(), a tool-use loop, thinking,
 * images, errors in Anthropic's shape, conversations continued from a resent history, and
 * countTokens.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
let client: Anthropic;
beforeAll(async () => {
  test = await startTestGateway({ tools: { pending_timeout_seconds: 5 } });
  client = new Anthropic({ baseURL: test.url, apiKey: "unused", maxRetries: 0 });
});
afterAll(() => test.close());

const call = (name: string, input: unknown) => `[[tool:mcp__client__${name} ${JSON.stringify(input)}]]`;
const weather: Anthropic.Tool = {
  name: "get_weather",
  description: "The weather in a city",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

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
    expect(message.content).toEqual([{ type: "text", text: "ECHO: hello there" }]);
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
    expect(types).toContain("ping");
    expect(types.filter((type) => type === "content_block_delta").length).toBe(5);
    expect(types.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    expect(final.content).toEqual([{ type: "text", text: "w1 w2 w3 w4 w5 " }]);
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
    expect(second.content).toEqual([{ type: "text", text: "TOOL_RESULT: sunny, 21C" }]);
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

  it("counts tokens, labelled as an estimate", async () => {
    const count = await client.messages.countTokens({
      model: "sonnet",
      messages: [{ role: "user", content: "hello ".repeat(100) }],
    });
    expect(count.input_tokens).toBeGreaterThan(100);
    const response = await fetch(`${test.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "sonnet", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.headers.get("x-token-count")).toBe("estimate");
  });
});
