/**
 * The Vercel AI SDK's `anthropic` provider (`ai` 6 with `@ai-sdk/anthropic` 3, the last lines that
 * run on Node 20) against the Messages API: generateText, streamText, a tool loop the SDK runs
 * itself, and structured output — the real CLI answering from the mock Anthropic API.
 */
import { createAnthropic } from "@ai-sdk/anthropic";
import { generateObject, generateText, jsonSchema, stepCountIs, streamText, tool } from "ai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
let anthropic: ReturnType<typeof createAnthropic>;
beforeAll(async () => {
  test = await startTestGateway({ tools: { pending_timeout_seconds: 5 } });
  anthropic = createAnthropic({ baseURL: `${test.url}/v1`, apiKey: "unused" });
});
afterAll(() => test.close());

it("generates text with usage", async () => {
  const result = await generateText({ model: anthropic("sonnet"), prompt: "hello from the AI SDK", maxRetries: 0 });
  expect(result.text).toBe("ECHO: hello from the AI SDK");
  expect(result.finishReason).toBe("stop");
  expect(result.usage.inputTokens).toBeGreaterThan(0);
  expect(result.usage.outputTokens).toBeGreaterThan(0);
});

it("streams text", async () => {
  const result = streamText({ model: anthropic("sonnet"), prompt: "[[words:4]]", maxRetries: 0 });
  const parts: string[] = [];
  for await (const part of result.textStream) parts.push(part);
  expect(parts.join("")).toBe("w1 w2 w3 w4 ");
  expect(parts.length).toBeGreaterThan(1);
});

it("runs a tool loop: the SDK executes the tool and the turn goes on with its result", async () => {
  const result = await generateText({
    model: anthropic("sonnet"),
    prompt: `weather? [[tool:mcp__client__get_weather ${JSON.stringify({ city: "Lima" })}]]`,
    tools: {
      get_weather: tool({
        description: "The weather in a city",
        inputSchema: jsonSchema<{ city: string }>({
          type: "object",
          properties: { city: { type: "string" } },
          required: ["city"],
        }),
        execute: async ({ city }) => `foggy in ${city}`,
      }),
    },
    stopWhen: stepCountIs(3),
    maxRetries: 0,
  });
  expect(result.steps[0]?.toolCalls[0]).toMatchObject({ toolName: "get_weather", input: { city: "Lima" } });
  expect(result.text).toBe("TOOL_RESULT: foggy in Lima");
});

const city = jsonSchema<{ city: string }>({
  type: "object",
  properties: { city: { type: "string" } },
  required: ["city"],
  additionalProperties: false,
});

it("generates an object through structured output (output_config.format)", async () => {
  const result = await generateObject({
    model: anthropic("sonnet"),
    prompt: "a city",
    schema: city,
    providerOptions: { anthropic: { structuredOutputMode: "outputFormat" } },
    maxRetries: 0,
  });
  expect(result.object).toEqual({ city: "mock" });
});

it("generates an object through the provider's default, a forced `json` tool call", async () => {
  // A model the provider does not know gets the tool mode: tool_choice any, one call.
  const result = await generateObject({
    model: anthropic("sonnet"),
    prompt: `a city [[tool:mcp__client__json ${JSON.stringify({ city: "Quito" })}]]`,
    schema: city,
    maxRetries: 0,
  });
  expect(result.object).toEqual({ city: "Quito" });
  const offered = test.environment.mock
    .messageRequests()
    .at(-1)
    ?.body.tools?.map((offer) => offer.name);
  expect(offered).toContain("mcp__client__json");
});
