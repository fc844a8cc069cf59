/**
 * A turn waiting for a client's tool results gives its process up when another request needs it,
 * and still gets the results: they go to a new process that resumes a fork of the session right
 * after the calls, so the model sees its calls answered by the client — no error result of the
 * interrupt in between. Real CLI, mock API, one process in the pool.
 */
import Anthropic from "@anthropic-ai/sdk";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";
import { tinyPng } from "../support/tiny-png.js";

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway({
    claude: { max_concurrent_sessions: 1, pool_min_idle: 0 },
    tools: { pending_timeout_seconds: 60 },
  });
});
afterAll(() => test.close());

const tool = (name: string): OpenAI.ChatCompletionTool => ({
  type: "function",
  function: { name, parameters: { type: "object", properties: { q: { type: "string" } } } },
});
const call = (name: string, input: unknown) => `[[tool:mcp__client__${name} ${JSON.stringify(input)}]]`;

/** The messages of the last API call the CLI made, as text. */
const lastMessages = () => JSON.stringify(test.environment.mock.messageRequests().at(-1)?.body.messages ?? []);

describe("a waiting tool turn whose process another request needs", () => {
  it.each([
    ["one call", [call("lookup", { q: "a" })]],
    ["two calls", [call("lookup", { q: "a" }), call("search", { q: "b" })]],
  ])("is suspended, and its results later continue a fork of its session (%s)", async (_name, calls) => {
    const question: OpenAI.ChatCompletionMessageParam = { role: "user", content: calls.join(" ") };
    const tools = [tool("lookup"), tool("search")];
    const first = await test.client.chat.completions.create({ model: "sonnet", messages: [question], tools });
    const toolCalls = (first.choices[0]?.message.tool_calls ?? []) as OpenAI.ChatCompletionMessageFunctionToolCall[];
    expect(toolCalls).toHaveLength(calls.length);
    const spawned = test.pool().spawned;

    // The only process waits for the results; this request needs it.
    const other = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "another client's question" }],
    });
    expect(other.choices[0]?.message.content).toBe("ECHO: another client's question");
    expect(test.gateway.services.engine.waitingCount).toBe(1);

    const results = toolCalls.map((toolCall, index) => ({
      role: "tool" as const,
      tool_call_id: toolCall.id,
      content: `result ${index}`,
    }));
    const second = await test.client.chat.completions.create({
      model: "sonnet",
      tools,
      messages: [question, first.choices[0]?.message as OpenAI.ChatCompletionMessageParam, ...results],
    });
    expect(second.choices[0]?.message.content).toBe(
      `TOOL_RESULT: ${results.map((result) => result.content).join(" | ")}`,
    );
    // A new process resumed the fork; the model saw the client's results, not the interrupt's.
    expect(test.pool().spawned).toBeGreaterThan(spawned);
    expect(lastMessages()).toContain("result 0");
    expect(lastMessages()).not.toMatch(/doesn't want to proceed|Request interrupted/);
    await eventually(() => expect(test.gateway.services.engine.waitingCount).toBe(0));

    // The conversation goes on in the fork's session.
    const third = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [
        question,
        first.choices[0]?.message as OpenAI.ChatCompletionMessageParam,
        ...results,
        second.choices[0]?.message as OpenAI.ChatCompletionMessageParam,
        { role: "user", content: "and then?" },
      ],
    });
    expect(third.choices[0]?.message.content).toBe("ECHO: and then?");
    expect(lastMessages()).toContain("result 0");
    expect(lastMessages()).not.toContain("conversation_history");
  });
});

describe("a suspended turn's results with an image (Messages API)", () => {
  it("gives the fork the result's image as an image", async () => {
    const png = tinyPng;
    const client = new Anthropic({ baseURL: test.url, apiKey: "unused", maxRetries: 0 });
    const lookup: Anthropic.Tool = { name: "lookup", input_schema: { type: "object", properties: {} } };
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: call("lookup", { q: "img" }) }];
    const first = await client.messages.create({ model: "sonnet", max_tokens: 100, tools: [lookup], messages });
    const use = first.content.find((block) => block.type === "tool_use") as Anthropic.ToolUseBlock;
    // The only process is needed elsewhere: the waiting turn is suspended.
    await client.messages.create({
      model: "sonnet",
      max_tokens: 100,
      messages: [{ role: "user", content: "meanwhile" }],
    });
    messages.push({ role: "assistant", content: first.content });
    messages.push({
      role: "user",
      content: [
        {
          type: "tool_result",
          tool_use_id: use.id,
          content: [
            { type: "text", text: "picture" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: png } },
          ],
        },
      ],
    });
    const spawned = test.pool().spawned;
    const answer = await client.messages.create({ model: "sonnet", max_tokens: 100, tools: [lookup], messages });
    expect(test.pool().spawned).toBeGreaterThan(spawned);
    expect((answer.content[0] as Anthropic.TextBlock).text).toContain(
      `[image: image/png ${Buffer.from(png, "base64").length}B]`,
    );
  });
});
