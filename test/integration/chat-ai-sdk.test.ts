/**
 * The Vercel AI SDK's `openai-compatible` provider (`ai` 6, `@ai-sdk/openai-compatible` 2) against
 * chat completions: text, and the model's thinking read from `reasoning_content` as the SDK's
 * reasoning — the real CLI answering from the mock Anthropic API.
 */
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateObject, generateText, jsonSchema, streamText } from "ai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
let gateway: ReturnType<typeof createOpenAICompatible>;
beforeAll(async () => {
  test = await startTestGateway();
  gateway = createOpenAICompatible({ name: "claude-code-api", baseURL: `${test.url}/v1`, apiKey: "unused" });
});
afterAll(() => test.close());

it("reads the answer and its reasoning_content as reasoning", async () => {
  const result = await generateText({ model: gateway("sonnet"), prompt: "[[think:weighing it]] hello", maxRetries: 0 });
  expect(result.text).toBe("ECHO: [[think:weighing it]] hello");
  expect(result.reasoningText).toBe("weighing it");
});

it("streams the reasoning ahead of the text", async () => {
  const result = streamText({ model: gateway("sonnet"), prompt: "[[think:step by step]] [[words:3]]", maxRetries: 0 });
  const kinds: string[] = [];
  for await (const part of result.fullStream) {
    if (part.type === "reasoning-delta" || part.type === "text-delta") kinds.push(part.type);
  }
  expect(kinds[0]).toBe("reasoning-delta");
  expect(kinds).toContain("text-delta");
  expect(await result.reasoningText).toBe("step by step");
});

it("generates an object with supportsStructuredOutputs (response_format json_schema)", async () => {
  const structured = createOpenAICompatible({
    name: "claude-code-api",
    baseURL: `${test.url}/v1`,
    apiKey: "unused",
    supportsStructuredOutputs: true,
  });
  const result = await generateObject({
    model: structured("sonnet"),
    prompt: "a city",
    schema: jsonSchema<{ city: string }>({
      type: "object",
      properties: { city: { type: "string" } },
      required: ["city"],
      additionalProperties: false,
    }),
    maxRetries: 0,
  });
  expect(result.object).toEqual({ city: "mock" });
});
