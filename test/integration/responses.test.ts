/**
 * The Responses API with the real CLI, the mock Anthropic API and the `openai` client: JSON and
 * streamed answers valid against OpenAI's spec, stored responses (retrieve, input items, delete),
 * conversations continued by previous_response_id, by `conversation` and by a resent history, and
 * function-call round trips both stateful and stateless.
 */
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";
import { specViolations } from "../support/openapi-validator.js";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";
import { tinyPng } from "../support/tiny-png.js";

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway({ tools: { pending_timeout_seconds: 5 } });
});
afterAll(() => test.close());

const weather: OpenAI.Responses.FunctionTool = {
  type: "function",
  name: "get_weather",
  description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: false,
};
const call = (name: string, input: unknown) => `[[tool:mcp__client__${name} ${JSON.stringify(input)}]]`;

/** What the mock received last: the messages of the API call the CLI made. */
function lastMessages(): Array<{ role: string; content: unknown }> {
  return (test.environment.mock.messageRequests().at(-1)?.body.messages ?? []) as Array<{
    role: string;
    content: unknown;
  }>;
}

describe("POST /v1/responses", () => {
  it("answers in JSON, valid against the spec, with usage", async () => {
    const response = await test.client.responses.create({ model: "sonnet", input: "hello there" });
    expect(specViolations("Response", response)).toEqual([]);
    expect(response.object).toBe("response");
    expect(response.status).toBe("completed");
    expect(response.output_text).toBe("ECHO: hello there");
    expect(response.usage?.input_tokens).toBeGreaterThan(0);
    expect(response.usage?.output_tokens).toBeGreaterThan(0);
    expect(response.usage?.total_tokens).toBe(
      (response.usage?.input_tokens ?? 0) + (response.usage?.output_tokens ?? 0),
    );
  });

  it("streams the full event sequence, every event valid, sequence numbers increasing", async () => {
    const stream = await test.client.responses.create({ model: "sonnet", input: "[[words:5]]", stream: true });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    for (const event of events) expect(specViolations("ResponseStreamEvent", event), event.type).toEqual([]);
    const types = events.map((event) => event.type);
    expect(types.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(types.filter((type) => type === "response.output_text.delta").length).toBeGreaterThan(1);
    expect(types.slice(-4)).toEqual([
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const completed = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    const text = events
      .filter((event) => event.type === "response.output_text.delta")
      .map((event) => (event as OpenAI.Responses.ResponseTextDeltaEvent).delta)
      .join("");
    expect(completed.response.output_text ?? text).toBe(text);
    expect(text.trim().split(" ")).toHaveLength(5);
  });

  it("keeps a stored response: retrieve, input items, delete (then 404); cancel needs background", async () => {
    const created = await test.client.responses.create({
      model: "sonnet",
      instructions: "Be brief.",
      input: [{ role: "user", content: [{ type: "input_text", text: "remember me" }] }],
      metadata: { topic: "test" },
    });
    const retrieved = await test.client.responses.retrieve(created.id);
    expect(specViolations("Response", retrieved)).toEqual([]);
    expect(retrieved).toMatchObject({ id: created.id, metadata: { topic: "test" }, instructions: "Be brief." });
    expect(JSON.stringify(retrieved.output)).toContain("ECHO: remember me");
    const items = await test.client.responses.inputItems.list(created.id);
    const raw = await (await fetch(`${test.url}/v1/responses/${created.id}/input_items`)).json();
    expect(specViolations("ResponseItemList", raw)).toEqual([]);
    expect(items.data).toHaveLength(1);
    expect(items.data[0]).toMatchObject({
      type: "message",
      role: "user",
      content: [{ type: "input_text", text: "remember me" }],
    });
    const cancel = await fetch(`${test.url}/v1/responses/${created.id}/cancel`, { method: "POST" });
    expect(cancel.status).toBe(400);
    await test.client.responses.delete(created.id);
    await expect(test.client.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
    const unknown = await fetch(`${test.url}/v1/responses/resp_nope`);
    expect(unknown.status).toBe(404);
    expect(specViolations("ErrorResponse", await unknown.json())).toEqual([]);
  });

  it("does not keep a response sent with store: false", async () => {
    const response = await test.client.responses.create({ model: "sonnet", input: "not kept", store: false });
    expect((response as unknown as { store: boolean }).store).toBe(false);
    await expect(test.client.responses.retrieve(response.id)).rejects.toMatchObject({ status: 404 });
  });

  it("continues the same CLI session with previous_response_id", async () => {
    const first = await test.client.responses.create({ model: "sonnet", input: "My name is Ada." });
    const second = await test.client.responses.create({
      model: "sonnet",
      previous_response_id: first.id,
      input: "What is my name?",
    });
    expect(second.previous_response_id).toBe(first.id);
    // The session holds the first exchange: the model got it as messages, not replayed as text.
    const messages = lastMessages();
    expect(JSON.stringify(messages)).toContain("My name is Ada.");
    expect(JSON.stringify(messages)).not.toContain("conversation_history");
    expect(messages.length).toBeGreaterThanOrEqual(3);
    // Only the newest response can be continued.
    await expect(
      test.client.responses.create({ model: "sonnet", previous_response_id: first.id, input: "again" }),
    ).rejects.toMatchObject({ status: 400, code: "previous_response_not_latest" });
  });

  it("continues a conversation of the Conversations API", async () => {
    const conversation = await test.client.conversations.create({});
    await test.client.responses.create({ model: "sonnet", conversation: conversation.id, input: "first words" });
    const second = await test.client.responses.create({
      model: "sonnet",
      conversation: { id: conversation.id },
      input: "second words",
    });
    expect(second.conversation?.id).toBe(conversation.id);
    expect(JSON.stringify(lastMessages())).toContain("first words");
    const items = await test.client.conversations.items.list(conversation.id);
    expect(items.data).toHaveLength(4);
  });

  it("continues a stateless client's resent history (store: false) in the same session", async () => {
    const input: OpenAI.Responses.ResponseInput = [
      { role: "developer", content: "You are terse." },
      { role: "user", content: "stateless one" },
    ];
    const first = await test.client.responses.create({ model: "sonnet", input, store: false });
    const spawnedBefore = test.pool().spawned;
    await test.client.responses.create({
      model: "sonnet",
      store: false,
      input: [
        ...input,
        ...(first.output as OpenAI.Responses.ResponseInputItem[]),
        { role: "user", content: "stateless two" },
      ],
    });
    const messages = JSON.stringify(lastMessages());
    expect(messages).toContain("stateless one");
    expect(messages).not.toContain("conversation_history");
    expect(test.pool().spawned).toBe(spawnedBefore);
  });

  it("round-trips a function call with previous_response_id (stateful)", async () => {
    const first = await test.client.responses.create({
      model: "sonnet",
      input: call("get_weather", { city: "Paris" }),
      tools: [weather],
    });
    expect(specViolations("Response", first)).toEqual([]);
    const fc = first.output.find((item) => item.type === "function_call") as OpenAI.Responses.ResponseFunctionToolCall;
    expect(fc).toMatchObject({ name: "get_weather", arguments: '{"city":"Paris"}', status: "completed" });
    expect(fc.call_id).toMatch(/^toolu_/);
    const second = await test.client.responses.create({
      model: "sonnet",
      previous_response_id: first.id,
      tools: [weather],
      input: [{ type: "function_call_output", call_id: fc.call_id, output: "Sunny, 24 °C" }],
    });
    expect(second.output_text).toBe("TOOL_RESULT: Sunny, 24 °C");
    await eventually(() => expect(test.pool().states.leased).toBe(0));
  });

  it("shows a function output's data-URL image to the model as an image", async () => {
    const png = tinyPng;
    const first = await test.client.responses.create({
      model: "sonnet",
      input: call("get_weather", { city: "Graz" }),
      tools: [weather],
    });
    const fc = first.output.find((item) => item.type === "function_call") as OpenAI.Responses.ResponseFunctionToolCall;
    const second = await test.client.responses.create({
      model: "sonnet",
      previous_response_id: first.id,
      tools: [weather],
      input: [
        {
          type: "function_call_output",
          call_id: fc.call_id,
          output: [
            { type: "input_text", text: "radar" },
            { type: "input_image", image_url: `data:image/png;base64,${png}`, detail: "auto" },
          ],
        },
      ],
    });
    expect(second.output_text).toContain(`[image: image/png ${Buffer.from(png, "base64").length}B]`);
  });

  it("round-trips a function call with the whole history and store: false (stateless), streamed", async () => {
    const question: OpenAI.Responses.ResponseInputItem = {
      role: "user",
      content: call("get_weather", { city: "Oslo" }),
    };
    const stream = await test.client.responses.create({
      model: "sonnet",
      input: [question],
      tools: [weather],
      store: false,
      stream: true,
    });
    const events: OpenAI.Responses.ResponseStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    for (const event of events) expect(specViolations("ResponseStreamEvent", event), event.type).toEqual([]);
    expect(events.map((event) => event.type)).toContain("response.function_call_arguments.delta");
    const done = events.at(-1) as OpenAI.Responses.ResponseCompletedEvent;
    expect(done.type).toBe("response.completed");
    const fc = done.response.output.find(
      (item) => item.type === "function_call",
    ) as OpenAI.Responses.ResponseFunctionToolCall;
    const second = await test.client.responses.create({
      model: "sonnet",
      tools: [weather],
      store: false,
      input: [
        question,
        ...(done.response.output as OpenAI.Responses.ResponseInputItem[]),
        { type: "function_call_output", call_id: fc.call_id, output: "Snow" },
      ],
    });
    expect(second.output_text).toBe("TOOL_RESULT: Snow");
  });

  it("answers text.format json_schema (a draft 2020-12 schema too) with the object as JSON", async () => {
    const response = await test.client.responses.create({
      model: "sonnet",
      input: "give me a city",
      text: {
        format: {
          type: "json_schema",
          name: "city",
          strict: true,
          schema: {
            $schema: "https://json-schema.org/draft/2020-12/schema",
            type: "object",
            properties: { name: { type: "string" }, population: { type: "integer" } },
            required: ["name", "population"],
            additionalProperties: false,
          },
        },
      },
    });
    expect(JSON.parse(response.output_text)).toEqual({ name: "mock", population: 42 });
  });

  it("answers errors in OpenAI's shape, naming the param", async () => {
    const bad = await fetch(`${test.url}/v1/responses`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "sonnet", input: [{ type: "bogus" }] }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { param: string } };
    expect(specViolations("ErrorResponse", body)).toEqual([]);
    expect(body.error.param).toBe("input[0].type");
  });
});
