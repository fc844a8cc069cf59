/**
 * Ownership before effect, and each key's share of the pool, with the REAL CLI: another key that
 * learnt a conversation id or tool call ids can neither end nor reset nor continue a waiting tool
 * turn (it sees 404 / not pending, and the owner's turn goes on); a cache hit hands out nobody's
 * conversation; a key at its cap on processes lets its own oldest conversation go, else gets 429.
 */
import type OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

const keys = { alice: "alice-plain-key-0123", bob: "bob-plain-key-0123", dave: "dave-capped-key-0123" };

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway({
    auth: {
      keys: [
        { name: "alice", key: keys.alice },
        { name: "bob", key: keys.bob },
        { name: "dave", key: keys.dave, max_processes: 1 },
      ],
    },
    claude: { pool_min_idle: 1, max_concurrent_sessions: 6 },
  });
});
afterAll(() => test.close());

const weather: OpenAI.ChatCompletionTool = {
  type: "function",
  function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
};
const askWeather = '[[tool:mcp__client__get_weather {"city":"Paris"}]]';

interface Reply {
  conversation_id?: string;
  choices: Array<{
    finish_reason: string;
    message: { role: "assistant"; content: string | null; tool_calls: Array<{ id: string }> };
  }>;
  error: { code: string };
}

async function post(key: string, body: Record<string, unknown>) {
  const response = await fetch(`${test.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ model: "sonnet", ...body }),
  });
  return { response, body: (await response.json()) as Reply };
}

/** A turn of `key` that calls the client's tool and waits for the result. */
async function parkTurn(key: string) {
  const first = await post(key, { messages: [{ role: "user", content: askWeather }], tools: [weather] });
  const choice = first.body.choices[0];
  expect(choice?.finish_reason).toBe("tool_calls");
  return {
    conversationId: first.body.conversation_id as string,
    results: [
      { role: "user", content: askWeather },
      choice?.message,
      { role: "tool", tool_call_id: choice?.message.tool_calls[0]?.id, content: "sunny" },
    ],
  };
}

describe("ownership before effect", () => {
  it("lets no other key end, reset or continue a turn waiting for tool results", async () => {
    const parked = await parkTurn(keys.alice);
    expect(test.gateway.services.engine.waitingCount).toBe(1);

    // Bob learnt the conversation id: a message on it is not found, and ends nothing.
    const intruding = await post(keys.bob, {
      conversation_id: parked.conversationId,
      messages: [{ role: "user", content: "take over" }],
    });
    expect(intruding.response.status).toBe(404);
    expect(intruding.body.error.code).toBe("conversation_not_found");
    // Bob learnt the tool call ids: his results answer nothing.
    const answering = await post(keys.bob, { messages: parked.results, tools: [weather] });
    expect(answering.response.status).toBe(400);
    expect(answering.body.error.code).toBe("tool_calls_not_pending");
    expect(test.gateway.services.engine.waitingCount).toBe(1);

    // Alice's turn goes on from her results.
    const done = await post(keys.alice, { messages: parked.results, tools: [weather] });
    expect(done.body.choices[0]?.message.content).toBe("TOOL_RESULT: sunny");
    expect(done.body.conversation_id).toBe(parked.conversationId);
  });
});

describe("processes per key", () => {
  const held = (conversationId: string) =>
    test.pool().members.some((member) => member.conversation === conversationId && member.state === "bound");

  it("lets a key at its cap give up its own oldest conversation's process, else answers 429 too_many_processes", async () => {
    const first = await post(keys.dave, { messages: [{ role: "user", content: "one" }] });
    const firstId = first.body.conversation_id as string;
    expect(held(firstId)).toBe(true);
    const second = await post(keys.dave, { messages: [{ role: "user", content: "two" }] });
    expect(second.response.status).toBe(200);
    // Dave may hold one process: his first conversation let its process go (it stays in the store).
    expect(held(firstId)).toBe(false);
    expect(held(second.body.conversation_id as string)).toBe(true);

    // A turn waiting for tool results holds its process; nothing of dave's is left to give up.
    const parked = await parkTurn(keys.dave);
    const refused = await post(keys.dave, { messages: [{ role: "user", content: "three" }] });
    expect(refused.response.status).toBe(429);
    expect(refused.body.error.code).toBe("too_many_processes");
    expect(refused.response.headers.get("retry-after")).toMatch(/^\d+$/);
    // Other keys are not affected.
    expect((await post(keys.alice, { messages: [{ role: "user", content: "still here" }] })).response.status).toBe(200);

    await post(keys.dave, { messages: parked.results, tools: [weather] });
    // The first conversation resumes (--resume) once dave has room again.
    const again = await post(keys.dave, { conversation_id: firstId, messages: [{ role: "user", content: "back" }] });
    expect(again.response.status).toBe(200);
    const owners = new Set(
      test
        .pool()
        .members.filter((m) => m.state === "bound")
        .map((m) => m.owner),
    );
    expect(owners.size).toBeGreaterThan(0);
  });
});

describe("the response cache", () => {
  it("hands out no conversation with a hit", async () => {
    const cached = await startTestGateway({ environment: test.environment, cache: { enabled: true } });
    try {
      const ask = () => cached.post({ model: "sonnet", messages: [{ role: "user", content: "cache me" }] });
      const miss = await ask();
      expect(miss.headers.get("x-cache")).toBe("miss");
      expect(((await miss.json()) as { conversation_id?: string }).conversation_id).toMatch(/^conv_/);
      const hit = await ask();
      expect(hit.headers.get("x-cache")).toBe("hit");
      expect(hit.headers.get("x-conversation-id")).toBeNull();
      const body = (await hit.json()) as { conversation_id?: string; choices: Array<{ message: { content: string } }> };
      expect(body.conversation_id).toBeUndefined();
      expect(body.choices[0]?.message.content).toBe("ECHO: cache me");
    } finally {
      await cached.close();
    }
  });
});

describe("stored responses are their key's alone", () => {
  const call = (key: string, method: string, path: string, body?: unknown) =>
    fetch(`${test.url}${path}`, {
      method,
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it("another key can neither retrieve, list, delete nor continue a response", async () => {
    const created = await call(keys.alice, "POST", "/v1/responses", { model: "sonnet", input: "alice's secret" });
    const { id } = (await created.json()) as { id: string };
    expect((await call(keys.bob, "GET", `/v1/responses/${id}`)).status).toBe(404);
    expect((await call(keys.bob, "GET", `/v1/responses/${id}/input_items`)).status).toBe(404);
    expect((await call(keys.bob, "DELETE", `/v1/responses/${id}`)).status).toBe(404);
    const continued = await call(keys.bob, "POST", "/v1/responses", {
      model: "sonnet",
      previous_response_id: id,
      input: "what did alice say?",
    });
    expect(continued.status).toBe(404);
    expect(((await continued.json()) as { error: { param: string } }).error.param).toBe("previous_response_id");
    // Still there for its owner.
    expect((await call(keys.alice, "GET", `/v1/responses/${id}`)).status).toBe(200);
  });
});
