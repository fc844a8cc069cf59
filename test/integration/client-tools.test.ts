/**
 * Client tools (function calling) with the real CLI, the mock Anthropic API and the `openai`
 * client: the model's calls come back as tool_calls, the turn waits parked for the results, and
 * continues from them — single and parallel calls, streamed deltas, abandoned and wrong results.
 */
import { type BaseMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/eventually.js";
import { specViolations } from "../support/openapi-validator.js";
import { readSse, startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway({ tools: { pending_timeout_seconds: 1.5 } });
});
afterAll(() => test.close());

const weather: OpenAI.ChatCompletionTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};
const time: OpenAI.ChatCompletionTool = {
  type: "function",
  function: { name: "get_time", parameters: { type: "object", properties: { zone: { type: "string" } } } },
};

const call = (name: string, input: unknown) => `[[tool:mcp__client__${name} ${JSON.stringify(input)}]]`;

function lastOffered(): Array<{ name: string; input_schema?: unknown }> {
  const body = test.environment.mock.messageRequests().at(-1)?.body as { tools?: Array<{ name: string }> };
  return body.tools ?? [];
}

describe("client tools", () => {
  it("returns a call as tool_calls, waits, and continues from the client's result", async () => {
    const question: OpenAI.ChatCompletionMessageParam = {
      role: "user",
      content: call("get_weather", { city: "Paris" }),
    };
    const first = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [question],
      tools: [weather],
    });
    const choice = first.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    const toolCall = choice?.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(toolCall).toMatchObject({
      type: "function",
      function: { name: "get_weather", arguments: '{"city":"Paris"}' },
    });
    expect(toolCall.id).toMatch(/^toolu_/);
    // Only the client's function was offered, with its schema — no built-in tool.
    expect(lastOffered().map((tool) => tool.name)).toEqual(["mcp__client__get_weather"]);
    expect(JSON.stringify(lastOffered()[0])).toContain('"required":["city"]');
    // The process is still on the turn, waiting.
    expect(test.pool().states.leased).toBe(1);

    const second = await test.client.chat.completions.create({
      model: "sonnet",
      tools: [weather],
      messages: [
        question,
        choice?.message as OpenAI.ChatCompletionMessageParam,
        { role: "tool", tool_call_id: toolCall.id, content: "Sunny, 24 °C" },
      ],
    });
    expect(second.choices[0]?.message.content).toBe("TOOL_RESULT: Sunny, 24 °C");
    expect(second.choices[0]?.finish_reason).toBe("stop");
    expect((second as unknown as { conversation_id: string }).conversation_id).toBe(
      (first as unknown as { conversation_id: string }).conversation_id,
    );
    await eventually(() => expect(test.pool().states.leased).toBe(0));
  });

  it("returns several calls of one answer together, and takes all their results at once", async () => {
    const question: OpenAI.ChatCompletionMessageParam = {
      role: "user",
      content: `${call("get_weather", { city: "Oslo" })} ${call("get_time", { zone: "CET" })}`,
    };
    const first = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [question],
      tools: [weather, time],
    });
    const calls = (first.choices[0]?.message.tool_calls ?? []) as OpenAI.ChatCompletionMessageFunctionToolCall[];
    expect(calls.map((toolCall) => toolCall.function.name)).toEqual(["get_weather", "get_time"]);

    // Results for only one of them: a clear error, and the turn keeps waiting for both.
    const partial = await test.post({
      model: "sonnet",
      messages: [question, first.choices[0]?.message, { role: "tool", tool_call_id: calls[0]?.id, content: "rain" }],
    });
    expect(partial.status).toBe(400);
    expect(((await partial.json()) as { error: { code: string } }).error.code).toBe("tool_results_missing");

    const second = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [
        question,
        first.choices[0]?.message as OpenAI.ChatCompletionMessageParam,
        { role: "tool", tool_call_id: calls[0]?.id ?? "", content: "rain" },
        { role: "tool", tool_call_id: calls[1]?.id ?? "", content: "12:00" },
      ],
    });
    expect(second.choices[0]?.message.content).toBe("TOOL_RESULT: rain | 12:00");
  });

  it("streams tool calls as OpenAI's deltas: index, id, name, then argument fragments", async () => {
    const stream = await test.client.chat.completions.create({
      model: "sonnet",
      stream: true,
      messages: [{ role: "user", content: call("get_weather", { city: "Lisbon" }) }],
      tools: [weather],
    });
    const deltas: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe("tool_calls");
    expect(deltas[0]).toMatchObject({ index: 0, type: "function", function: { name: "get_weather", arguments: "" } });
    expect(deltas[0]?.id).toMatch(/^toolu_/);
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.map((delta) => delta.function?.arguments ?? "").join("")).toBe('{"city":"Lisbon"}');

    // The continuation streams too.
    const id = deltas[0]?.id ?? "";
    const rest = await test.client.chat.completions.create({
      model: "sonnet",
      stream: true,
      messages: [
        { role: "user", content: call("get_weather", { city: "Lisbon" }) },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id, type: "function", function: { name: "get_weather", arguments: '{"city":"Lisbon"}' } }],
        },
        { role: "tool", tool_call_id: id, content: "windy" },
      ],
    });
    let text = "";
    for await (const chunk of rest) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("TOOL_RESULT: windy");
  });

  it("still returns tool_calls when the stream broke and the CLI fetched the message again unstreamed", async () => {
    const question: OpenAI.ChatCompletionMessageParam = {
      role: "user",
      content: `[[break:1]] ${call("get_weather", { city: "Tromsø" })}`,
    };
    const first = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [question],
      tools: [weather],
    });
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    const toolCall = first.choices[0]?.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(toolCall.function).toEqual({ name: "get_weather", arguments: '{"city":"Tromsø"}' });
    const second = await test.client.chat.completions.create({
      model: "sonnet",
      tools: [weather],
      messages: [
        question,
        first.choices[0]?.message as OpenAI.ChatCompletionMessageParam,
        { role: "tool", tool_call_id: toolCall.id, content: "polar night" },
      ],
    });
    expect(second.choices[0]?.message.content).toBe("TOOL_RESULT: polar night");
  });

  it("gives a call without arguments the arguments {}, in JSON and streamed", async () => {
    const content = call("get_time", {});
    const json = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content }],
      tools: [time],
    });
    const toolCall = json.choices[0]?.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(toolCall.function.arguments).toBe("{}");
    const stream = await test.client.chat.completions.create({
      model: "sonnet",
      stream: true,
      messages: [{ role: "user", content }],
      tools: [time],
    });
    let streamed = "";
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? "";
    expect(streamed).toBe("{}");
  });

  it("abandons a turn whose results never come, and reuses its process", async () => {
    const first = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: call("get_weather", { city: "Rome" }) }],
      tools: [weather],
    });
    const id = first.choices[0]?.message.tool_calls?.[0]?.id ?? "";
    await eventually(() => expect(test.pool().states.leased).toBe(0), 10_000);
    const late = await test.post({
      model: "sonnet",
      messages: [
        { role: "user", content: call("get_weather", { city: "Rome" }) },
        first.choices[0]?.message,
        { role: "tool", tool_call_id: id, content: "too late" },
      ],
    });
    expect(late.status).toBe(400);
    expect(((await late.json()) as { error: { code: string } }).error.code).toBe("tool_calls_not_pending");
    expect(
      (await test.client.chat.completions.create({ model: "sonnet", messages: [{ role: "user", content: "hi" }] }))
        .choices[0]?.message.content,
    ).toBe("ECHO: hi");
  });

  it("ends a parked turn when its conversation gets a new message instead of the results", async () => {
    const first = await test.post({
      model: "sonnet",
      messages: [{ role: "user", content: call("get_weather", { city: "Bern" }) }],
      tools: [weather],
    });
    const { conversation_id: conversationId } = (await first.json()) as { conversation_id: string };
    const next = await test.post({
      model: "sonnet",
      conversation_id: conversationId,
      messages: [{ role: "user", content: "Never mind." }],
      tools: [weather],
    });
    expect(next.status).toBe(200);
    expect(
      ((await next.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content,
    ).toBe("ECHO: Never mind.");
  });

  it("passes tool_choice and parallel_tool_calls to the model as an instruction; none offers no tools", async () => {
    const lastUserText = () => JSON.stringify(test.environment.mock.messageRequests().at(-1)?.body.messages?.at(-1));
    await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "Plan a trip." }],
      tools: [weather, time],
      tool_choice: { type: "function", function: { name: "get_time" } },
      parallel_tool_calls: false,
    });
    expect(lastUserText()).toContain(
      "you must call the function get_time now; call at most one function in this answer",
    );
    await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "Plan a trip." }],
      tools: [weather],
      tool_choice: "required",
    });
    expect(lastUserText()).toContain("you must call at least one of the provided functions now");
    await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "No tools now." }],
      tools: [weather],
      tool_choice: "none",
    });
    expect(lastOffered().some((tool) => tool.name.startsWith("mcp__client__"))).toBe(false);
  });

  it("answers tool calls in shapes valid against OpenAI's spec", async () => {
    const response = await test.post({
      model: "sonnet",
      messages: [{ role: "user", content: call("get_time", { zone: "UTC" }) }],
      tools: [time],
    });
    expect(specViolations("CreateChatCompletionResponse", await response.json())).toEqual([]);
    const streamed = await test.post({
      model: "sonnet",
      stream: true,
      messages: [{ role: "user", content: call("get_time", { zone: "UTC" }) }],
      tools: [time],
    });
    for (const data of (await readSse(streamed)).filter((line) => line !== "[DONE]")) {
      expect(specViolations("CreateChatCompletionStreamResponse", JSON.parse(data))).toEqual([]);
    }
  });

  it("keeps a conversation going across a tool-using turn: the resent history continues the session", async () => {
    const question: OpenAI.ChatCompletionMessageParam = {
      role: "user",
      content: call("get_weather", { city: "Nice" }),
    };
    const first = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [question],
      tools: [weather],
    });
    const assistant = first.choices[0]?.message as OpenAI.ChatCompletionMessageParam;
    const id = first.choices[0]?.message.tool_calls?.[0]?.id ?? "";
    const history = [question, assistant, { role: "tool" as const, tool_call_id: id, content: "mild" }];
    const second = await test.client.chat.completions.create({ model: "sonnet", messages: history, tools: [weather] });
    const third = await test.client.chat.completions.create({
      model: "sonnet",
      tools: [weather],
      messages: [
        ...history,
        second.choices[0]?.message as OpenAI.ChatCompletionMessageParam,
        { role: "user", content: "Thanks!" },
      ],
    });
    const conversationOf = (completion: unknown) => (completion as { conversation_id: string }).conversation_id;
    expect(conversationOf(third)).toBe(conversationOf(first));
    expect(third.choices[0]?.message.content).toBe("ECHO: Thanks!");
    expect(JSON.stringify(test.environment.mock.messageRequests().at(-1)?.body)).not.toContain("conversation_history");
  });
});

describe("a LangChain tool-calling agent loop", () => {
  it("calls the tool, feeds the result back and gets the final answer", async () => {
    const model = new ChatOpenAI({
      model: "sonnet",
      apiKey: "unused",
      configuration: { baseURL: `${test.url}/v1` },
      maxRetries: 0,
    }).bindTools([weather]);
    const messages: BaseMessage[] = [new HumanMessage(call("get_weather", { city: "Kyoto" }))];
    let reply = await model.invoke(messages);
    let rounds = 0;
    while (reply.tool_calls?.length && rounds++ < 3) {
      messages.push(reply);
      for (const toolCall of reply.tool_calls) {
        messages.push(
          new ToolMessage({ tool_call_id: toolCall.id ?? "", content: `clear skies in ${toolCall.args.city}` }),
        );
      }
      reply = await model.invoke(messages);
    }
    expect(rounds).toBe(1);
    expect(reply.content).toBe("TOOL_RESULT: clear skies in Kyoto");
  });
});
