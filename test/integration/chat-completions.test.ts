/**
 * Chat completions through the gateway: the `openai` client and LangChain talk to the gateway,
 * which drives the REAL claude binary against the mock Anthropic API.
 */
import { ChatOpenAI } from "@langchain/openai";
import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { specViolations } from "../support/openapi-validator.js";
import { readSse, startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway();
});
afterAll(() => test.close());

const expectSpec = (schema: Parameters<typeof specViolations>[0], value: unknown) => {
  expect(specViolations(schema, value)).toEqual([]);
};

function lastApiRequest() {
  const request = test.environment.mock.messageRequests().at(-1);
  if (!request) throw new Error("no API request reached the mock");
  return request;
}

describe("POST /v1/chat/completions (JSON)", () => {
  it("answers with a spec-valid chat.completion carrying real usage", async () => {
    const completion = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "hello gateway" }],
    });
    expectSpec("CreateChatCompletionResponse", completion);
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]?.message.content).toBe("ECHO: hello gateway");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    // The mock answered for the model the CLI resolved the alias to; the suffix is stripped.
    expect(completion.model).toBe(lastApiRequest().body.model);
    expect(completion.model).toMatch(/sonnet/);
    const usage = completion.usage;
    expect(usage?.prompt_tokens).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    expect(usage?.total_tokens).toBe((usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0));
  });

  it("counts cache reads into prompt_tokens and reports them as cached_tokens", async () => {
    const completion = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "[[cache:1234]] cached please" }],
    });
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(1234);
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(1234);
  });

  it("lets the CLI continue past an upstream max_tokens cut, glued on without a gap", async () => {
    const completion = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "[[stop:max_tokens]] long answer" }],
    });
    // The CLI asks the model to resume; the mock echoes that request, so the answer has two parts.
    expect(completion.choices[0]?.message.content).toMatch(
      /^ECHO: \[\[stop:max_tokens\]\] long answerECHO: Output token limit hit/,
    );
    expect(completion.choices[0]?.finish_reason).toBe("stop");
  });

  it("returns a refusal as finish_reason content_filter with message.refusal, not as an error", async () => {
    const completion = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "[[stop:refusal]] something forbidden" }],
    });
    expectSpec("CreateChatCompletionResponse", completion);
    expect(completion.choices[0]?.finish_reason).toBe("content_filter");
    expect(completion.choices[0]?.message.refusal).toMatch(/unable to respond to this request/);
    expect(completion.choices[0]?.message.refusal).not.toMatch(/Request ID|API Error/);
  });

  it("sends system and developer messages as the CLI's system prompt", async () => {
    await test.client.chat.completions.create({
      model: "sonnet",
      messages: [
        { role: "system", content: "You are SYSTEM-PROMPT-MARKER." },
        { role: "developer", content: "Also DEVELOPER-MARKER." },
        { role: "user", content: "hi" },
      ],
    });
    const system = JSON.stringify(lastApiRequest().body.system);
    expect(system).toContain("You are SYSTEM-PROMPT-MARKER.");
    expect(system).toContain("Also DEVELOPER-MARKER.");
  });

  it("lets the model see a stateless client's earlier turns", async () => {
    const completion = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [
        { role: "user", content: "My name is Ada Lovelace." },
        { role: "assistant", content: "Nice to meet you, Ada." },
        { role: "user", content: "What is my name?" },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe("ECHO: What is my name?");
    const sent = JSON.stringify(lastApiRequest().body.messages);
    expect(sent).toContain("My name is Ada Lovelace.");
    expect(sent).toContain("Nice to meet you, Ada.");
  });

  it("accepts content-part messages and unknown extra fields", async () => {
    const response = await test.post({
      model: "sonnet",
      some_future_field: { anything: true },
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "part one" },
            { type: "text", text: "part two" },
          ],
        },
      ],
    });
    expect(response.status).toBe(200);
    const completion = (await response.json()) as { choices: Array<{ message: { content: string } }> };
    expect(completion.choices[0]?.message.content).toBe("ECHO: part two");
    expect(JSON.stringify(lastApiRequest().body.messages)).toContain("part one");
  });
});

describe("POST /v1/chat/completions (SSE)", () => {
  it("streams role, content, finish and usage chunks, each spec-valid", async () => {
    const stream = await test.client.chat.completions.create({
      model: "sonnet",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "stream me a reasonably long sentence please" }],
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    for (const chunk of chunks) expectSpec("CreateChatCompletionStreamResponse", chunk);

    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("ECHO: stream me a reasonably long sentence please");
    expect(chunks.filter((chunk) => chunk.choices[0]?.delta.content).length).toBeGreaterThan(1);
    const finish = chunks.find((chunk) => chunk.choices[0]?.finish_reason);
    expect(finish?.choices[0]?.finish_reason).toBe("stop");
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.completion_tokens).toBeGreaterThan(0);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
  });

  it("ends with data: [DONE] and sends no usage chunk unless asked", async () => {
    const response = await test.post({ model: "sonnet", stream: true, messages: [{ role: "user", content: "hi" }] });
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = await readSse(response);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event));
    expect(chunks.every((chunk) => chunk.choices.length === 1 && !("usage" in chunk))).toBe(true);
  });

  it("streams tokens as the model produces them, not all at the end", async () => {
    const stream = await test.client.chat.completions.create({
      model: "sonnet",
      stream: true,
      messages: [{ role: "user", content: "[[slow:5:150]]" }],
    });
    const upstreamWhenReceived: string[] = [];
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) upstreamWhenReceived.push(lastApiRequest().outcome);
    }
    expect(upstreamWhenReceived).toHaveLength(5);
    // The first words reached the client while the upstream answer was still being written;
    // a buffered ("fake") stream would only start after it completed.
    expect(upstreamWhenReceived[0]).toBe("pending");
  });
});

describe("models", () => {
  it("lists aliases and the CLI's default model, and retrieves them", async () => {
    const list = await test.client.models.list();
    const ids = list.data.map((model) => model.id);
    expect(ids).toEqual(expect.arrayContaining(["opus", "sonnet", "haiku"]));
    // The CLI's default model, learned from a booted process.
    expect(ids.some((id) => id.startsWith("claude-"))).toBe(true);
    const raw = await (await fetch(`${test.url}/v1/models`)).json();
    expectSpec("ListModelsResponse", raw);

    const opus = await test.client.models.retrieve("opus");
    expectSpec("Model", opus);
    expect(opus).toMatchObject({ id: "opus", object: "model", owned_by: "anthropic" });
    expect((await test.client.models.retrieve("claude-sonnet-4-5")).id).toBe("claude-sonnet-4-5");
  });

  it("answers 404 model_not_found for a model it does not know", async () => {
    const error = await test.client.models.retrieve("gpt-4o").catch((caught) => caught);
    expect(error.status).toBe(404);
    expect(error.code).toBe("model_not_found");
  });
});

describe("health", () => {
  it("reports liveness and readiness with the CLI's version", async () => {
    expect(await (await fetch(`${test.url}/health`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${test.url}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as {
      claude: { version: string };
      pool: { processes: number; members: Array<Record<string, unknown>> };
    };
    expect(body.claude.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(body.pool.processes).toBeGreaterThan(0);
    expect((body as unknown as { store: string }).store).toBe("ok");
    expect(JSON.stringify(body)).not.toContain(test.environment.claudeCommand);
    // Conversation ids are not shown: knowing one is enough to continue that conversation.
    expect(body.pool.members.some((member) => "conversation" in member)).toBe(false);
    expect(JSON.stringify(body)).not.toContain("conv_");
  });
});

describe("LangChain ChatOpenAI", () => {
  const chat = () =>
    new ChatOpenAI({ model: "sonnet", apiKey: "unused", configuration: { baseURL: `${test.url}/v1` }, maxRetries: 0 });

  it("invokes", async () => {
    const message = await chat().invoke("hello from langchain");
    expect(message.content).toBe("ECHO: hello from langchain");
    expect(message.usage_metadata?.output_tokens).toBeGreaterThan(0);
  });

  it("streams", async () => {
    const parts: string[] = [];
    for await (const chunk of await chat().stream("stream from langchain, long enough for chunks")) {
      parts.push(String(chunk.content));
    }
    expect(parts.join("")).toBe("ECHO: stream from langchain, long enough for chunks");
    expect(parts.filter((part) => part.length > 0).length).toBeGreaterThan(1);
  });
});
