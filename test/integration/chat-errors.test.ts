/**
 * Everything that can go wrong on the way to an answer gets a clear OpenAI error with the right
 * status, and nothing is lost: the process goes back to the pool and the next request works.
 * Real CLI + mock Anthropic API + the `openai` client.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, poolSettled } from "../support/eventually.js";
import { specViolations } from "../support/openapi-validator.js";
import { readSse, startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway();
});
afterAll(() => test.close());

async function expectError(
  response: Response,
  status: number,
  fields: { code?: string | null; param?: string | null; type?: string },
) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: Record<string, unknown> };
  expect(specViolations("ErrorResponse", body)).toEqual([]);
  expect(body.error).toMatchObject(fields);
  expect(typeof body.error.message).toBe("string");
  return body.error;
}

const ask = (content: string, extra: Record<string, unknown> = {}) =>
  test.post({ model: "sonnet", messages: [{ role: "user", content }], ...extra });

describe("a request naming no model", () => {
  it("gets the CLI's own default when no claude.default_model is set", async () => {
    // Known once the first process has booted (its get_settings answer), ~1 s after start.
    const cliDefault = await eventually(() => {
      expect(test.gateway.services.models.cliDefault).toBeTruthy();
      return test.gateway.services.models.cliDefault as string;
    });
    const response = await test.post({ messages: [{ role: "user", content: "which model?" }] });
    expect(response.status).toBe(200);
    const completion = (await response.json()) as { model: string; choices: Array<{ message: { content: string } }> };
    expect(completion.choices[0]?.message.content).toBe("ECHO: which model?");
    // The CLI says e.g. "claude-opus-4-8[1m]" (its 1M-context notation); answers carry the model id.
    expect(completion.model).toBe(cliDefault.replace(/\[[^\]]*\]$/, ""));
  });
});

describe("bad requests get 400 naming the param", () => {
  it("rejects malformed JSON", async () => {
    const error = await expectError(await test.post("{not json"), 400, { type: "invalid_request_error", param: null });
    expect(error.message).toMatch(/could not parse the JSON body/);
  });

  it.each([
    [{ model: "sonnet" }, "messages", "missing_required_parameter"],
    [{ model: "sonnet", messages: [] }, "messages", "invalid_value"],
    [{ model: "sonnet", messages: "hello" }, "messages", "invalid_value"],
    [{ model: "sonnet", messages: [{ role: "robot", content: "hi" }] }, "messages[0].role", "invalid_value"],
    [{ model: "sonnet", messages: [{ role: "user", content: 42 }] }, "messages[0].content", "invalid_value"],
    [
      { model: "sonnet", temperature: "hot", messages: [{ role: "user", content: "hi" }] },
      "temperature",
      "invalid_value",
    ],
    [{ model: 7, messages: [{ role: "user", content: "hi" }] }, "model", "invalid_value"],
    [{ model: "sonnet", n: 2, messages: [{ role: "user", content: "hi" }] }, "n", "unsupported_parameter"],
    [{ model: "sonnet", stop: ["END"], messages: [{ role: "user", content: "hi" }] }, "stop", "unsupported_parameter"],
    [
      {
        model: "sonnet",
        tools: [{ type: "custom", custom: { name: "f" } }],
        messages: [{ role: "user", content: "hi" }],
      },
      "tools[0].type",
      null,
    ],
    [
      {
        model: "sonnet",
        tools: [{ type: "function", function: { name: "no spaces" } }],
        messages: [{ role: "user", content: "hi" }],
      },
      "tools[0].function.name",
      "invalid_value",
    ],
    [
      {
        model: "sonnet",
        tools: [{ type: "function", function: { name: "f" } }],
        tool_choice: { type: "function", function: { name: "g" } },
        messages: [{ role: "user", content: "hi" }],
      },
      "tool_choice",
      "invalid_value",
    ],
    [
      {
        model: "sonnet",
        messages: [
          { role: "user", content: "hi" },
          { role: "tool", content: "x" },
        ],
      },
      "messages[1].tool_call_id",
      "missing_required_parameter",
    ],
    [
      { model: "sonnet", messages: [{ role: "tool", tool_call_id: "toolu_unknown", content: "x" }] },
      "messages",
      "tool_calls_not_pending",
    ],
    [
      { model: "sonnet", response_format: { type: "yaml" }, messages: [{ role: "user", content: "hi" }] },
      "response_format.type",
      "invalid_value",
    ],
    [
      {
        model: "sonnet",
        messages: [
          { role: "user", content: "hi" },
          { role: "assistant", content: "prefill" },
        ],
      },
      "messages[1].role",
      "invalid_value",
    ],
  ])("%j → param %s", async (body, param, code) => {
    await expectError(await test.post(body), 400, { type: "invalid_request_error", param, code });
  });

  it("rejects a non-object body", async () => {
    await expectError(await test.post("[1,2]"), 400, { type: "invalid_request_error" });
  });

  it("surfaces as BadRequestError with param in the openai client", async () => {
    const error = await test.client.chat.completions
      .create({ model: "sonnet", n: 3, messages: [{ role: "user", content: "hi" }] })
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe("n");
  });

  it("answers 404 in OpenAI shape for an unknown URL", async () => {
    await expectError(await fetch(`${test.url}/v1/nothing-here`), 404, { code: "unknown_url" });
  });
});

describe("upstream failures map to the right status", () => {
  it.each([
    ["[[error:429]]", 429, "upstream_rate_limited", "rate_limit_error"],
    ["[[error:529]]", 503, "upstream_overloaded", "server_error"],
    ["[[error:500]]", 502, "upstream_error", "server_error"],
    ["[[error:401]]", 503, "upstream_authentication_failed", "server_error"],
    ["[[error:400]]", 400, "upstream_invalid_request", "invalid_request_error"],
    ["[[error:413]]", 413, "request_too_large", "invalid_request_error"],
  ])("%s → %i %s", async (content, status, code, type) => {
    const response = await ask(content);
    const error = await expectError(response, status, { code, type });
    if (status === 429 || code === "upstream_overloaded") expect(response.headers.get("retry-after")).toBe("30");
    if (code === "upstream_authentication_failed") expect(response.headers.get("x-should-retry")).toBe("false");
    expect(String(error.message)).not.toMatch(/127\.0\.0\.1|\/tmp\//);
  });

  it("maps an unknown model to 404 model_not_found", async () => {
    const response = await test.post({ model: "mock-missing-model", messages: [{ role: "user", content: "hi" }] });
    await expectError(response, 404, { code: "model_not_found", param: "model" });
  });

  it("gives a streaming request that fails before its first token a real HTTP status, not a 200", async () => {
    const response = await ask("[[error:429]]", { stream: true });
    await expectError(response, 429, { code: "upstream_rate_limited" });
  });

  it("keeps the openai client's error classes meaningful", async () => {
    const error = await test.client.chat.completions
      .create({ model: "sonnet", messages: [{ role: "user", content: "[[error:429]]" }] })
      .catch((caught) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error.code).toBe("upstream_rate_limited");
  });

  it("recovers a stream that broke mid-answer when the CLI's regenerated answer extends it", async () => {
    const stream = await test.client.chat.completions.create({
      model: "sonnet",
      stream: true,
      messages: [{ role: "user", content: "[[break:3]]" }],
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("w1 w2 w3 w4 w5 w6 w7 w8 ");
    const completion = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "[[break:3]]" }],
    });
    expect(completion.choices[0]?.message.content).toBe("w1 w2 w3 w4 w5 w6 w7 w8 ");
  });

  it("ends a stream with data: {error} when the regenerated answer contradicts what was sent", async () => {
    const response = await ask("[[break:3:new]]", { stream: true });
    expect(response.status).toBe(200);
    const events = await readSse(response);
    const last = JSON.parse(events.at(-1) ?? "{}");
    expect(last.error).toMatchObject({ code: "upstream_stream_interrupted", type: "server_error" });
    const sent = events
      .slice(0, -1)
      .map((event) => JSON.parse(event).choices[0]?.delta.content ?? "")
      .join("");
    expect(sent).toBe("w1 w2 w3 ");

    // JSON gets the CLI's final answer.
    const json = await (await ask("[[break:3:new]]")).json();
    expect((json as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe(
      "z1 z2 z3 z4 z5 z6 z7 z8 ",
    );
  });

  it("throws the stream error in the openai client", async () => {
    const stream = await test.client.chat.completions.create({
      model: "sonnet",
      stream: true,
      messages: [{ role: "user", content: "[[break:2:new]]" }],
    });
    const consume = async () => {
      for await (const _chunk of stream) {
        // reading until the error event
      }
    };
    await expect(consume()).rejects.toMatchObject({ code: "upstream_stream_interrupted" });
  });
});

describe("disconnects and deadlines", () => {
  it("interrupts the turn when the client aborts, and reuses the process", async () => {
    await poolSettled(test.pool);
    const spawnedBefore = test.pool().spawned;
    const requestsBefore = test.environment.mock.messageRequests().length;
    const controller = new AbortController();
    const stream = await test.client.chat.completions.create(
      { model: "sonnet", stream: true, messages: [{ role: "user", content: "[[slow:50:100]]" }] },
      { signal: controller.signal },
    );
    let servedBy: number | undefined;
    try {
      for await (const chunk of stream) {
        if (!chunk.choices[0]?.delta.content) continue;
        servedBy = test.pool().members.find((member) => member.state === "leased")?.pid;
        controller.abort();
      }
    } catch {
      // the client may end the iteration quietly or with an abort error
    }
    // The turn was interrupted (the CLI cut the upstream answer short); the same process is back.
    await poolSettled(test.pool);
    expect(test.environment.mock.messageRequests()[requestsBefore]?.outcome).toBe("aborted");
    expect(test.pool().members.find((member) => member.pid === servedBy)?.state).toBe("idle");
    expect(test.pool().spawned).toBe(spawnedBefore);
    const next = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "after abort" }],
    });
    expect(next.choices[0]?.message.content).toBe("ECHO: after abort");
  });

  it("interrupts a non-streaming turn whose client disconnects", async () => {
    const controller = new AbortController();
    const pending = test.client.chat.completions.create(
      { model: "sonnet", messages: [{ role: "user", content: "[[slow:50:100]]" }] },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 400);
    await expect(pending).rejects.toThrow();
    await poolSettled(test.pool);
    expect(test.environment.mock.messageRequests().at(-1)?.outcome).toBe("aborted");
    const next = await test.client.chat.completions.create({
      model: "sonnet",
      messages: [{ role: "user", content: "still fine" }],
    });
    expect(next.choices[0]?.message.content).toBe("ECHO: still fine");
  });
});

describe("with a 1 s timeout, one process and no queue", () => {
  let small: TestGateway;
  beforeAll(async () => {
    small = await startTestGateway({
      claude: { timeout_seconds: 1, max_concurrent_sessions: 1, max_queued_requests: 0, pool_min_idle: 1 },
      server: { sse_keepalive_seconds: 0.2 },
    });
  });
  afterAll(() => small.close());

  it("answers 504 when the turn outlives claude.timeout_seconds, and keeps the process", async () => {
    const response = await small.post({ model: "sonnet", messages: [{ role: "user", content: "[[hang]]" }] });
    await expectError(response, 504, { code: "timeout", type: "timeout_error" });
    await eventually(() => expect(small.pool().states.idle).toBe(1));
    expect(small.pool().spawned).toBe(1);
    const next = await small.post({ model: "sonnet", messages: [{ role: "user", content: "after timeout" }] });
    expect(next.status).toBe(200);
  });

  it("rejects with 429 and Retry-After when every process is busy and the queue is full", async () => {
    const slow = small.post({ model: "sonnet", messages: [{ role: "user", content: "[[slow:4:100]]" }] });
    await eventually(() => expect(small.pool().states.leased).toBe(1));
    const rejected = await small.post({ model: "sonnet", messages: [{ role: "user", content: "no room" }] });
    await expectError(rejected, 429, { code: "pool_queue_full", type: "rate_limit_error" });
    expect(Number(rejected.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await slow).status).toBe(200);
  });

  it("sends : ping keep-alives while the model is silent", async () => {
    const response = await small.post({
      model: "sonnet",
      stream: true,
      messages: [{ role: "user", content: "[[sleep:700]] late answer" }],
    });
    expect(response.status).toBe(200);
    const events = await readSse(response, { comments: true });
    expect(events.filter((event) => event === ": ping").length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)).toBe("[DONE]");
    const text = events
      .filter((event) => event.startsWith("{"))
      .map((event) => JSON.parse(event).choices[0]?.delta.content ?? "")
      .join("");
    expect(text).toBe("ECHO: [[sleep:700]] late answer");
  });

  it("reports a timeout after the stream started as data: {error}", async () => {
    const response = await small.post({
      model: "sonnet",
      stream: true,
      messages: [{ role: "user", content: "[[slow:30:100]]" }],
    });
    expect(response.status).toBe(200);
    const events = await readSse(response);
    expect(JSON.parse(events.at(-1) ?? "{}").error).toMatchObject({ code: "timeout" });
    await eventually(() => expect(small.pool().states.idle).toBe(1));
  });
});

describe("with requests queued behind one process", () => {
  let queued: TestGateway;
  beforeAll(async () => {
    queued = await startTestGateway({
      claude: { max_concurrent_sessions: 1, max_queued_requests: 5, pool_min_idle: 1 },
    });
  });
  afterAll(() => queued.close());

  it("serves waiting requests in turn instead of rejecting them", async () => {
    const answers = await Promise.all(
      ["one", "two", "three"].map((word) =>
        queued.client.chat.completions.create({ model: "sonnet", messages: [{ role: "user", content: word }] }),
      ),
    );
    expect(answers.map((answer) => answer.choices[0]?.message.content)).toEqual([
      "ECHO: one",
      "ECHO: two",
      "ECHO: three",
    ]);
    expect(queued.pool().processes).toBe(1);
  });
});

describe("when the CLI is not logged in", () => {
  let anonymous: TestGateway;
  beforeAll(async () => {
    anonymous = await startTestGateway({ apiKey: null });
  });
  afterAll(() => anonymous.close());

  it("answers 503 claude_not_logged_in, telling the operator what to do, and not to retry", async () => {
    const response = await anonymous.post({ model: "sonnet", messages: [{ role: "user", content: "hi" }] });
    const error = await expectError(response, 503, { code: "claude_not_logged_in", type: "server_error" });
    expect(String(error.message)).toMatch(/claude auth login/);
    expect(response.headers.get("x-should-retry")).toBe("false");
  });
});
