/**
 * Per-key storage quotas with the REAL CLI: a key sending large histories (replayed to the CLI, so
 * stored in its transcripts) is refused with 429 quota_exceeded once its stored bytes would pass
 * its quota — checked before any turn runs, so nothing reaches the model and nothing is
 * half-written, also when the requests come all at once; the store's file stays bounded; a key
 * past its conversation count can still continue what it has; other keys are unaffected.
 */
import { statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestGateway, type TestGateway } from "../support/start-test-gateway.js";

const keys = {
  mallory: "mallory-key-0123456",
  alice: "alice-key-0123456",
  carol: "carol-key-0123456",
  tina: "tina-key-0123456",
  ivy: "ivy-key-0123456",
};
const megabyte = 1024 * 1024;

let test: TestGateway;
beforeAll(async () => {
  test = await startTestGateway({
    auth: {
      keys: [
        { name: "mallory", key: keys.mallory, max_stored_mb: 1 },
        { name: "alice", key: keys.alice },
        { name: "carol", key: keys.carol, max_conversations: 2 },
        { name: "tina", key: keys.tina, max_stored_mb: 0.1 },
        { name: "ivy", key: keys.ivy, max_stored_mb: 0.1 },
      ],
    },
    conversation: { max_history_messages: 4 },
    claude: { pool_min_idle: 1, max_concurrent_sessions: 4 },
  });
});
afterAll(() => test.close());

interface Reply {
  choices: Array<{ finish_reason: string; message: { content: string | null; tool_calls: Array<{ id: string }> } }>;
  id: string;
  conversation_id: string;
  data: Array<{ id: string }>;
  error: { type: string; code: string; param: string | null; message: string };
}

async function call(key: string, path: string, body?: unknown, method = "POST") {
  const response = await fetch(`${test.url}${path}`, {
    method,
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { response, body: (await response.json()) as Reply };
}

const chat = (key: string, body: Record<string, unknown>) =>
  call(key, "/v1/chat/completions", { model: "sonnet", ...body });
const ownerOf = (name: string) =>
  test.gateway.services.apiKeys.callers().find((caller) => caller.name === name)?.owner ?? "";
const usageOf = (name: string) => test.gateway.services.conversationTurns.store.usage(ownerOf(name));
const storeFileBytes = () => {
  const path = test.gateway.services.configuration.store.url.slice("sqlite:".length);
  return [path, `${path}-wal`].reduce((sum, file) => sum + (statSync(file, { throwIfNoEntry: false })?.size ?? 0), 0);
};

describe("a key's stored bytes", () => {
  it("are capped: 30 large histories at once, only those under the quota run, the rest get 429 before reaching the model", async () => {
    const history = (index: number) => [
      { role: "user", content: `history ${index} ${"x".repeat(200 * 1024)}` },
      { role: "assistant", content: "noted" },
      { role: "user", content: `question ${index}` },
    ];
    const before = test.environment.mock.messageRequests().length;
    const fileBefore = storeFileBytes();
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, index) => chat(keys.mallory, { messages: history(index) })),
    );
    const refused = replies.filter((reply) => reply.response.status === 429);
    const answered = replies.filter((reply) => reply.response.status === 200);
    expect(answered.length + refused.length).toBe(30);
    // 1 MB of quota holds four 200 KB histories (and what the CLI adds to each transcript).
    expect(answered.length).toBeGreaterThanOrEqual(1);
    expect(answered.length).toBeLessThanOrEqual(5);
    for (const { response, body } of refused) {
      expect(body.error).toMatchObject({ type: "insufficient_quota", code: "quota_exceeded" });
      expect(body.error.message).toMatch(/conversation\.max_stored_mb_per_key/);
      expect(response.headers.get("x-should-retry")).toBe("false");
    }
    // The refused ones never reached the model.
    const modelRequests = test.environment.mock.messageRequests().slice(before);
    expect(modelRequests.filter((request) => JSON.stringify(request.body).includes("x".repeat(1000)))).toHaveLength(
      answered.length,
    );

    await test.gateway.services.conversationTurns.transcriptSync.drain();
    const usage = await usageOf("mallory");
    expect(usage.conversations).toBe(answered.length);
    // Stored whole, and bounded: the quota plus what the CLI adds around the admitted messages.
    expect(usage.bytes).toBeGreaterThan(answered.length * 200 * 1024);
    expect(usage.bytes).toBeLessThan(1.5 * megabyte);
    // Unbounded, 30 × 200 KB would be 6 MB of transcripts.
    expect(storeFileBytes() - fileBefore).toBeLessThan(3 * megabyte);

    // Another key is unaffected; the full key gets room back by deleting.
    expect((await chat(keys.alice, { messages: [{ role: "user", content: "hello" }] })).response.status).toBe(200);
    const retry = await chat(keys.mallory, { messages: history(99) });
    expect(retry.response.status).toBe(429);
    for (const { body } of answered)
      await call(keys.mallory, `/v1/conversations/${body.conversation_id}`, undefined, "DELETE");
    expect(await usageOf("mallory")).toEqual({ conversations: 0, bytes: 0 });
    expect((await chat(keys.mallory, { messages: history(100) })).response.status).toBe(200);
  });
});

describe("a key's conversation count", () => {
  it("is capped for new conversations; what the key has can still be continued, and one-off completions still run", async () => {
    const first = await call(keys.carol, "/v1/conversations", {});
    const second = await chat(keys.carol, { messages: [{ role: "user", content: "one" }] });
    expect([first.response.status, second.response.status]).toEqual([200, 200]);
    const third = await call(keys.carol, "/v1/conversations", {});
    expect(third.response.status).toBe(429);
    expect(third.body.error).toMatchObject({ code: "quota_exceeded", type: "insufficient_quota" });
    expect(third.body.error.message).toMatch(/quota of 2 conversations \(conversation\.max_conversations_per_key\)/);
    const fourth = await chat(keys.carol, { messages: [{ role: "user", content: "another" }] });
    expect(fourth.body.error?.code).toBe("quota_exceeded");
    expect((await usageOf("carol")).conversations).toBe(2);

    const continued = await chat(keys.carol, {
      conversation_id: second.body.conversation_id,
      messages: [{ role: "user", content: "two" }],
    });
    expect(continued.response.status).toBe(200);
    const oneOff = await chat(keys.carol, { store: false, messages: [{ role: "user", content: "not kept" }] });
    expect(oneOff.response.status).toBe(200);

    await call(keys.carol, `/v1/conversations/${first.body.id}`, undefined, "DELETE");
    const again = await call(keys.carol, "/v1/conversations", {});
    expect(again.response.status, JSON.stringify(again.body)).toBe(200);
  });

  it("refuses more initial items than a conversation keeps, creating nothing", async () => {
    const items = Array.from({ length: 5 }, (_, index) => ({
      type: "message",
      role: "user",
      content: `item ${index}`,
    }));
    const before = await usageOf("alice");
    const refused = await call(keys.alice, "/v1/conversations", { items });
    expect(refused.response.status).toBe(400);
    expect(await usageOf("alice")).toEqual(before);
    expect(refused.body.error).toMatchObject({ code: "quota_exceeded", param: "items" });
    expect(refused.body.error.message).toMatch(/conversation\.max_history_messages/);
    const listed = await call(keys.alice, "/v1/conversations?limit=100", undefined, "GET");
    expect(listed.body.data.every((conversation) => typeof conversation.id === "string")).toBe(true);
    expect((await usageOf("alice")).conversations).toBe(listed.body.data.length);
  });
});

describe("conversations created with items", () => {
  it("hold their items against the quota again when their first turn replays them into its transcript", async () => {
    // 0.1 MB of quota (~102 KB): two conversations of 30 KB of items each fit; both replayed do not.
    const items = Array.from({ length: 3 }, (_, index) => ({
      type: "message",
      role: index % 2 ? "assistant" : "user",
      content: `${index} ${"y".repeat(10 * 1024)}`,
    }));
    const created = await Promise.all([1, 2].map(() => call(keys.ivy, "/v1/conversations", { items })));
    expect(created.map((reply) => reply.response.status)).toEqual([200, 200]);
    const turns = await Promise.all(
      created.map((reply) =>
        chat(keys.ivy, { conversation_id: reply.body.id, messages: [{ role: "user", content: "go" }] }),
      ),
    );
    expect(turns.map((turn) => turn.response.status).sort()).toEqual([200, 429]);
    await test.gateway.services.conversationTurns.transcriptSync.drain();
    expect((await usageOf("ivy")).bytes).toBeLessThan(0.1 * megabyte + 16 * 1024); // the quota, plus one answer's bookkeeping
  });
});

describe("client tool results", () => {
  it("count against the quota too: results that do not fit get 429 and the turn keeps waiting for ones that do", async () => {
    const weather = { type: "function", function: { name: "get_weather", parameters: { type: "object" } } };
    const ask = { role: "user", content: '[[tool:mcp__client__get_weather {"city":"Paris"}]]' };
    const first = await chat(keys.tina, { messages: [ask], tools: [weather] });
    const choice = first.body.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    const answer = (content: string) =>
      chat(keys.tina, {
        tools: [weather],
        messages: [ask, choice?.message, { role: "tool", tool_call_id: choice?.message.tool_calls[0]?.id, content }],
      });
    const huge = await answer("x".repeat(200 * 1024));
    expect(huge.response.status).toBe(429);
    expect(huge.body.error.code).toBe("quota_exceeded");
    expect(test.gateway.services.engine.waitingCount).toBe(1);
    const fitting = await answer("sunny");
    expect(fitting.response.status).toBe(200);
    expect(fitting.body.choices[0]?.finish_reason).toBe("stop");
  });
});
